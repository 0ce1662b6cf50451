"""Helpers to run our actions the way the action server does, with rasa_sdk objects."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.services import Services


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
) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    history = list(events or []) + [{"event": "user", "text": text, "input_channel": channel, "parse_data": latest}]
    return Tracker(sender_id, slots or {}, latest, history, False, None, {}, "action_listen")


def run_action(action, tracker: Tracker, domain: Optional[Dict] = None):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or {}))
    return dispatcher.messages, events


def slot_events(events) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
