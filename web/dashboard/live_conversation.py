"""A conversation as the officer who holds it sees it: every message, newest appended as it arrives.

Read from ``analytics_events`` (masked), the table the Rasa server (or the RabbitMQ feed) fills as
each turn is stored, so the page works the same with one Rasa server or several replicas.
The officer's page polls :func:`messages_after` with the last id it has.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import List

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.analytics_events import AnalyticsEvent

CITIZEN, ASSISTANT, OFFICER = "citizen", "assistant", "officer"
MAX_MESSAGES = 500


@dataclass(frozen=True)
class LiveMessage:
    id: int
    author: str
    text: str
    at: datetime
    officer: str = ""

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "author": self.author,
            "text": self.text,
            "at": self.at.isoformat(),
            "officer": self.officer,
        }


def _message(row_id: int, type_name: str, data: str) -> LiveMessage:
    event = json.loads(data)
    at = datetime.fromtimestamp(float(event.get("timestamp") or 0), timezone.utc)
    text = str(event.get("text") or "")
    if type_name == "user":
        return LiveMessage(row_id, CITIZEN, text, at)
    officer = str((event.get("metadata") or {}).get("officer") or "")
    return LiveMessage(row_id, OFFICER if officer else ASSISTANT, text, at, officer)


def messages_after(engine: Engine, sender_id: str, after_id: int = 0, limit: int = MAX_MESSAGES) -> List[LiveMessage]:
    """The conversation's citizen and bot messages with an id above ``after_id``, oldest first."""
    events = AnalyticsEvent.__table__
    query = (
        select(events.c.id, events.c.type_name, events.c.data)
        .where(events.c.sender_id == sender_id, events.c.id > after_id, events.c.type_name.in_(("user", "bot")))
        .order_by(events.c.id)
        .limit(limit)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    found = [_message(row.id, row.type_name, row.data) for row in rows]
    return [m for m in found if m.text]
