"""Rasa's SQL tracker store on ``DATABASE_URL``, masking personal data before anything is stored.

Citizen ID numbers, phone numbers, e-mails and the other personal data that
knowledge_base/privacy.py recognises in what citizens typed (and anything that
echoes it: NLU parse data, entities, slots, bot texts) are replaced by placeholders
(knowledge_base/privacy.py) before the events reach the database or the event broker.
The actions already ran on the raw message (an application code look-up may need it);
nothing raw is persisted. Every deployment uses this store (bot/endpoints.yml).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, Iterator, List, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot import action_results
from bot.event_broker import DatabaseEventBroker
from core.settings import get_settings
from knowledge_base import log_masking
from knowledge_base.stored_text import mask_nested, storable_text

logger = logging.getLogger(__name__)

# Pauses between attempts to store a turn while the database is locked or unreachable (SQLite
# already waits 5 s for a lock inside each attempt): about half a minute in all.
SAVE_RETRY_PAUSES = (1.0, 2.0, 4.0, 8.0)

# Every Rasa server loads this store (bot/endpoints*.yml): the place to install the faster check
# and the masking of every log record.
action_results.install()
log_masking.install()


def _mask_value(value: Any, limit: Optional[int] = None) -> Any:
    return storable_text(value, limit) if isinstance(value, str) else mask_nested(value)


def _mask_entities(entities: Any) -> None:
    for entity in entities or []:
        if isinstance(entity, dict) and "value" in entity:
            entity["value"] = _mask_value(entity["value"])


def mask_event(event: Event, text_limit: Optional[int] = None) -> None:
    """Mask personal data and control characters in place in ``event`` wherever it carries text
    (metadata a client sent included); a citizen's message longer than ``text_limit`` is kept cut,
    saying so."""
    if event.metadata:
        event.metadata = mask_nested(event.metadata)
    if isinstance(event, UserUttered):
        event.text = _mask_value(event.text, text_limit)
        _mask_entities(event.entities)
        if event.parse_data:
            event.parse_data["text"] = _mask_value(event.parse_data.get("text"), text_limit)
            _mask_entities(event.parse_data.get("entities"))
            if "metadata" in event.parse_data:
                event.parse_data["metadata"] = mask_nested(event.parse_data["metadata"])
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
        settings = get_settings()
        url = make_url(kwargs.pop("url", None) or settings.database_url)
        self.text_limit = settings.max_stored_message_chars
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

    def _additional_events(self, session: Session, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The events not stored yet, masked: both the database and the broker take what they write
        from here, and events stored in earlier turns (masked then) are not masked again."""
        for event in super()._additional_events(session, tracker):
            mask_event(event, self.text_limit)
            yield event

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the new events, masked; a locked or briefly unreachable database is retried before
        giving up, so a turn is not kept only in memory (the broker's consumer ignores a repeated event)."""
        for attempt, pause in enumerate(SAVE_RETRY_PAUSES, start=1):
            try:
                await super().save(tracker)
                return
            except OperationalError as exc:
                logger.warning(
                    "tracker_store.save_retry conversation=%s attempt=%d error=%s",
                    tracker.sender_id,
                    attempt,
                    type(exc.orig).__name__,
                )
                await asyncio.sleep(pause)
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

    async def _stream_new_events(self, event_broker: EventBroker, new_events: List[Event], sender_id: str) -> None:
        """Publishes the turn's events; the in-process broker takes them as one batch (one transaction)."""
        if not isinstance(event_broker, DatabaseEventBroker):
            await super()._stream_new_events(event_broker, new_events, sender_id)
            return
        event_broker.publish_batch([{"sender_id": sender_id, **event.as_dict()} for event in new_events])
