"""Rasa's SQL tracker store on ``DATABASE_URL``, masking personal data before anything is stored.

Citizen ID numbers, phone numbers and e-mails in what citizens typed (and anything that
echoes it: NLU parse data, entities, slots, bot texts) are replaced by placeholders
(knowledge_base/privacy.py) before the events reach the database or the event broker.
The actions already ran on the raw message (an application code look-up may need it);
nothing raw is persisted. Every deployment uses this store (bot/endpoints.yml).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine.url import make_url

from bot import action_results
from bot.settings import get_settings
from knowledge_base.privacy import mask_personal_data

# Every Rasa server loads this store (bot/endpoints*.yml): the place to install the faster check.
action_results.install()


def _mask_value(value: Any) -> Any:
    return mask_personal_data(value) if isinstance(value, str) else value


def _mask_entities(entities: Any) -> None:
    for entity in entities or []:
        if isinstance(entity, dict) and "value" in entity:
            entity["value"] = _mask_value(entity["value"])


def mask_tracker_events(tracker: DialogueStateTracker) -> None:
    """Mask personal data in place in every event of ``tracker`` that carries text."""
    for event in tracker.events:
        if isinstance(event, UserUttered):
            event.text = _mask_value(event.text)
            _mask_entities(event.entities)
            if event.parse_data:
                event.parse_data["text"] = _mask_value(event.parse_data.get("text"))
                _mask_entities(event.parse_data.get("entities"))
        elif isinstance(event, BotUttered):
            event.text = _mask_value(event.text)
        elif isinstance(event, SlotSet):
            event.value = _mask_value(event.value)


class PrivacyTrackerStore(SQLTrackerStore):
    """SQLTrackerStore on one URL (SQLite file or PostgreSQL) that never stores raw personal data."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[str] = None,
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        url = make_url(kwargs.pop("url", None) or get_settings().database_url)
        if url.get_backend_name() == "sqlite" and url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database or "",
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query) or None,
        )

    async def save(self, tracker: DialogueStateTracker) -> None:
        mask_tracker_events(tracker)
        await super().save(tracker)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Publishes the events not stored yet to the broker.

        Rasa's version reloads and deserialises the stored conversation to find them; counting
        the stored events of the session (what ``save`` does next anyway) finds the same ones.
        """
        if self.event_broker is None:
            return
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
        await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
