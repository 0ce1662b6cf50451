"""Secrets a deployment did not set in its environment, generated once and kept under var/.

``make run`` works with no configuration: the Rasa API token and the key that encrypts callback
phone numbers are created on first use in files readable by their owner only, and every process
of the deployment reads the same file. A value set in the environment always wins.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Callable, Tuple

from core.settings import Settings


def read_or_create(path: Path, generate: Callable[[], str]) -> Tuple[str, bool]:
    """``(secret, created)``: the secret kept in ``path``, written there (mode 600) if absent.

    Two processes starting together both end up with the one that was written first.
    """
    try:
        return path.read_text(encoding="utf-8").strip(), False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = generate()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip(), False
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
    return secret, True


def rasa_api_token(settings: Settings) -> Tuple[str, bool]:
    """``(token, created)``: ``RASA_API_TOKEN``, else the token kept in ``RASA_API_TOKEN_FILE``, created
    on first use (``make run`` prints it then; the web server reads the same file)."""
    if settings.rasa_api_token:
        return settings.rasa_api_token, False
    return read_or_create(settings.rasa_api_token_file, lambda: secrets.token_urlsafe(32))
