"""``analytics_events``: the copy of masked tracker events the review dashboard reads.

The dashboard never reads Rasa's own ``events`` table, so officers' queries never load the store
that answers citizens, and one data source serves both set-ups: without RabbitMQ the Rasa server
writes these rows as it stores a turn (bot/event_broker.py); with RabbitMQ each web server consumes
the broker's queue into them (web/event_feed.py). Both write through :class:`AnalyticsEventStore`,
and an event's digest makes a second copy of it a no-op. Rasa-free, so the web server may import it.
Each citizen message and reply also keeps its folded text (``search_text``), which the dashboard's
search matches diacritic- and case-insensitively on either database.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, Optional, Sequence

from sqlalchemy import Column, Float, Integer, String, Text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from core.db import Base
from core.search_text import event_search_text
from knowledge_base.stored_text import mask_nested

# The event types the dashboard rebuilds conversations from (web/dashboard/analytics.py).
ANALYTICS_TYPES = frozenset({"user", "bot", "action", "slot"})
# Fields kept as sent: they identify the event; every other string is masked by the store.
IDENTITY_FIELDS = ("sender_id", "event", "timestamp")


class AnalyticsEvent(Base):
    """One masked tracker event as the broker carries it: ``{"sender_id", "event", "timestamp", ...}``."""

    __tablename__ = "analytics_events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    digest = Column(String(64), nullable=False, unique=True)
    sender_id = Column(String(255), nullable=False, index=True)
    type_name = Column(String(32), nullable=False)
    timestamp = Column(Float, nullable=False, index=True)
    data = Column(Text, nullable=False)
    # folded words of a message or reply (core/search_text.py), what the dashboard's search matches
    search_text = Column(Text)


def parse_event(body: bytes) -> Optional[Dict[str, Any]]:
    """The Rasa event in a message body, or None when the body is not one."""
    try:
        event = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(event, dict):
        return None
    if not isinstance(event.get("sender_id"), str) or not event["sender_id"]:
        return None
    if not isinstance(event.get("event"), str) or not isinstance(event.get("timestamp"), (int, float)):
        return None
    return event


def event_row(event: Dict[str, Any]) -> Dict[str, Any]:
    """The ``analytics_events`` row of one broker event, personal data masked (the tracker store masked
    it before publishing; the store does not rely on it); equal events give equal digests."""
    masked = mask_nested({key: value for key, value in event.items() if key not in IDENTITY_FIELDS})
    event = {**masked, **{key: event[key] for key in IDENTITY_FIELDS}}
    data = json.dumps(event, sort_keys=True, ensure_ascii=False)
    return {
        "digest": hashlib.sha256(data.encode()).hexdigest(),
        "sender_id": event["sender_id"][:255],
        "type_name": event["event"],
        "timestamp": float(event["timestamp"]),
        "data": data,
        "search_text": event_search_text(event["event"], event.get("text")),
    }


class AnalyticsEventStore:
    """Insert-if-absent of broker events into ``analytics_events`` (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # SQLite and PostgreSQL, the two databases the product supports, both have ON CONFLICT.
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def add(self, events: Sequence[Dict[str, Any]]) -> int:
        """Stores the analytics-relevant ``events``; returns how many were new."""
        rows = [event_row(event) for event in events if event["event"] in ANALYTICS_TYPES]
        if not rows:
            return 0
        unique = list({row["digest"]: row for row in rows}.values())
        statement = self._insert(AnalyticsEvent).on_conflict_do_nothing(index_elements=["digest"])
        with self.engine.begin() as connection:
            return max(connection.execute(statement, unique).rowcount or 0, 0)
