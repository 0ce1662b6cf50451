"""Every response of bot/domain.yml renders as the Rasa server renders it: variables filled, button
payloads valid, and no error in the log (a normal conversation logs none)."""

from __future__ import annotations

import asyncio
import json
import logging
import re

import pytest
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.log_utils import configure_structlog

from actions.base import settings_variables
from core.settings import Settings
from tests.conftest import ROOT

DOMAIN = Domain.load(str(ROOT / "bot" / "domain.yml"))
# Rasa's structured log goes through `logging`, as in the server, so the test sees its errors.
configure_structlog(logging.INFO)
PAYLOAD = re.compile(r"/(\w+)(\{.*\})?")


@pytest.mark.parametrize("name", sorted(DOMAIN.responses))
def test_the_response_renders_without_errors(name, caplog):
    variables = {
        found: f"<{found}>"
        for variant in DOMAIN.responses[name]
        for found in re.findall(r"(?<!\{)\{(\w+)\}(?!\})", variant.get("text", ""))
    }
    variables.update(settings_variables(Settings(hotline="0236 3822 123")))
    tracker = DialogueStateTracker("c", DOMAIN.slots)
    with caplog.at_level(logging.WARNING):
        message = asyncio.run(
            TemplatedNaturalLanguageGenerator(DOMAIN.responses).generate(name, tracker, "rest", **variables)
        )
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []
    assert "{" not in message["text"] and "}" not in message["text"], message["text"]
    if "{hotline}" in DOMAIN.responses[name][0].get("text", ""):
        assert "0236 3822 123" in message["text"]
    for button in message.get("buttons") or []:
        command = PAYLOAD.fullmatch(button["payload"])
        if command is None:
            continue  # a plain-text button ("bỏ qua") is read by NLU like typed text
        intent, entities = command.groups()
        assert intent in DOMAIN.intents, button["payload"]
        assert entities is None or isinstance(json.loads(entities), dict), button["payload"]
