"""Shared plumbing for our actions: services injection and conversation facts."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import List, Optional

from rasa_sdk import Action, Tracker

from actions.services import Services, get_services
from core.contract import PROCEDURE_INTENTS


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
