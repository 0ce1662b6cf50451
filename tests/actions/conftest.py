"""Helpers to run our actions the way the action server does, with rasa_sdk objects."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.services import Services
from tests.conftest import ROOT

DOMAIN = Domain.load(str(ROOT / "bot" / "domain.yml"))
NLG = TemplatedNaturalLanguageGenerator(DOMAIN.responses)


@pytest.fixture
def services(settings) -> Services:
    return Services.from_settings(settings)


def make_tracker(
    text: str,
    intent: str,
    entities: Optional[List[Dict[str, Any]]] = None,
    slots: Optional[Dict[str, Any]] = None,
    sender_id: str = "citizen-1",
    channel: str = "rest",
    events: Optional[List[Dict[str, Any]]] = None,
    message_id: str = "turn-1",
) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    history = list(events or []) + [
        {"event": "user", "text": text, "input_channel": channel, "parse_data": latest, "message_id": message_id}
    ]
    return Tracker(sender_id, slots or {}, latest, history, False, None, {}, "action_listen")


def run_action(action, tracker: Tracker, domain: Optional[Dict] = None):
    """The action's events, and its messages as the Rasa server sends them: responses of
    bot/domain.yml rendered with their variables by Rasa's own code, buttons merged."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or {}))
    return rendered(dispatcher.messages, tracker.sender_id), events


def rendered(messages: List[Dict[str, Any]], sender_id: str) -> List[Dict[str, Any]]:
    """What the Rasa server makes of an action server's messages (RemoteAction's own rendering)."""
    rasa_tracker = DialogueStateTracker(sender_id, DOMAIN.slots)
    uttered = asyncio.run(
        RemoteAction._utter_responses([dict(m) for m in messages], CollectingOutputChannel(), NLG, rasa_tracker)
    )
    return [
        {"text": event.text, "buttons": event.data.get("buttons") or [], "response": event.metadata.get("utter_action")}
        for event in uttered
    ]


def slot_events(events) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
