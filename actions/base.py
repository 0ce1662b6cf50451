"""Shared plumbing for our actions: services injection and conversation facts."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.services import Services, get_services
from core.contract import INTENT_OF_FIELD, PROCEDURE_INTENTS, Intent
from core.settings import Settings
from knowledge_base.language import looks_english

# The values a 👍/👎 button carries (actions/feedback.py reads them).
UP, DOWN = "up", "down"


class UsesServices:
    """Gives an action our services; tests pass their own ``Services``."""

    def __init__(self, services: Optional[Services] = None) -> None:
        super().__init__()
        self._services = services

    @property
    def services(self) -> Services:
        if self._services is None:
            self._services = get_services()
        return self._services


class ServiceAction(UsesServices, Action, ABC):
    """A Rasa SDK action that talks to our services (abstract: not registered itself)."""

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""


def settings_variables(settings: Settings) -> Dict[str, str]:
    """The {variables} every response of bot/domain.yml may use, from the settings."""
    return {
        "hotline": settings.hotline,
        "portal_url": settings.portal_url,
        "feedback_url": settings.feedback_url,
        "legal_portal_url": settings.legal_portal_url,
        "legal_aid_url": settings.legal_aid_url,
        "legal_aid_hotline": settings.legal_aid_hotline,
    }


def utter(
    dispatcher: CollectingDispatcher,
    settings: Settings,
    response: str,
    buttons: Optional[List[Dict[str, Any]]] = None,
    **variables: Any,
) -> None:
    """Says ``response`` of bot/domain.yml, its {variables} filled from the settings and ``variables``;
    ``buttons`` go under the response's own. The Rasa server renders it, so the text lives in the domain."""
    dispatcher.utter_message(response=response, buttons=buttons, **settings_variables(settings), **variables)


def procedure_payload(intent: str, procedure_id: str) -> str:
    """A button payload that asks ``intent`` about one procedure, resolved by id."""
    return f"/{intent}{json.dumps({'procedure': procedure_id})}"


def field_payload(field: str, procedure_id: str) -> str:
    """A button payload that asks for ``field`` (core.contract.Field) of one procedure."""
    return procedure_payload(INTENT_OF_FIELD[field], procedure_id)


def channel_of(tracker: Tracker) -> str:
    """The input channel of the conversation (rest, socketio, telegram, zalo, ...)."""
    return tracker.get_latest_input_channel() or "rest"


def entity_values(tracker: Tracker, entity: str) -> List[str]:
    """Values of ``entity`` in the latest message, in order."""
    return [str(value) for value in tracker.get_latest_entity_values(entity) if value is not None]


def latest_text(tracker: Tracker) -> str:
    """Text of the latest user message ('' when there is none)."""
    return (tracker.latest_message or {}).get("text") or ""


def latest_intent(tracker: Tracker) -> Optional[str]:
    """Name of the latest user intent."""
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def ranked_procedure_intent(tracker: Tracker) -> str:
    """The procedure question NLU ranked highest (``ask_procedure`` when none): what to answer first
    when the top intent was below the fallback threshold."""
    for ranked in (tracker.latest_message or {}).get("intent_ranking") or []:
        if ranked.get("name") in PROCEDURE_INTENTS:
            return ranked["name"]
    return "ask_procedure"


def english_note(dispatcher: CollectingDispatcher, settings: Settings, tracker: Tracker) -> None:
    """When the latest message is in English: a note, in English, that answers are in Vietnamese.
    The actions that answer typed questions say it first, for every English message."""
    if looks_english(latest_text(tracker)):
        utter(dispatcher, settings, "utter_english_note")


def button_payload(intent: str, **entities: str) -> str:
    """A button payload for ``intent`` with ``entities``, compact (Telegram's callback data holds 64 bytes)."""
    return f"/{intent}{json.dumps(entities, ensure_ascii=False, separators=(',', ':'))}"


def feedback_buttons(turn_id: Optional[str]) -> List[Dict[str, str]]:
    """The 👍/👎 buttons that sit on the answer to ``turn_id`` (none when the turn has no id)."""
    if not turn_id:
        return []
    return [
        {"title": "👍", "payload": button_payload(Intent.RATE_ANSWER, turn=turn_id, helpful=UP)},
        {"title": "👎", "payload": button_payload(Intent.RATE_ANSWER, turn=turn_id, helpful=DOWN)},
    ]


def is_feedback_button(button: Dict[str, Any]) -> bool:
    """Whether ``button`` is a 👍/👎 of :func:`feedback_buttons` (channels keep them when they must cut)."""
    payload = str(button.get("payload") or "")
    return payload.startswith(f"/{Intent.RATE_ANSWER}{{") and '"helpful"' in payload


def current_turn_id(tracker: Tracker) -> Optional[str]:
    """The id Rasa gave the latest citizen message: the turn an answer now being sent replies to."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("message_id")
    return None
