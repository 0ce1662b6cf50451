"""The server command lines `make run` builds."""

import argparse

from rasa.cli.arguments.run import add_server_arguments

from core.settings import get_settings
from tools.serve import commands


def test_a_token_that_starts_with_a_dash_reaches_rasa_whole():
    """secrets.token_urlsafe may start with "-" (1 in 64 first starts failed with "expected one argument")."""
    token = "-Zx3_generated-token"
    rasa = commands(get_settings(), token, "bot/endpoints.yml", "models/m.tar.gz")["rasa"]
    parser = argparse.ArgumentParser()
    add_server_arguments(parser)
    parsed, _rest = parser.parse_known_args(rasa[2:])
    assert parsed.auth_token == token
