"""Full-text search over conversations: "ho chieu", "Hộ Chiếu" and "HỘ CHIẾU" all find "hộ chiếu".

Each citizen message and reply keeps its folded text in ``analytics_events.search_text``
(core/search_text.py); the query is folded the same way and matched with LIKE, its ``%`` and ``_``
escaped, so the search behaves alike on SQLite and PostgreSQL. The page quotes the matching message
with the match marked, found by folding the message character by character.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Dict, List, Tuple

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.analytics_events import AnalyticsEvent
from core.search_text import fold_for_search
from web.dashboard.analytics import Filters, safe_text

# Messages read per search: enough for every conversation a query this broad could be meant for.
MAX_MATCHED_MESSAGES = 5000
QUOTE_CHARS = 160


@dataclass(frozen=True)
class Match:
    """One message that holds the searched words."""

    event_id: int
    sender_id: str
    at: datetime
    from_citizen: bool
    text: str


@dataclass
class ConversationMatches:
    """The messages of one conversation that matched, the first of them quoted on the page."""

    first: Match
    count: int


def search_conversations(engine: Engine, query: str, filters: Filters) -> Dict[str, ConversationMatches]:
    """Conversations in the date range with a message or reply holding ``query``, by conversation id."""
    key = fold_for_search(query)
    if not key:
        return {}
    events = AnalyticsEvent.__table__
    statement = (
        select(events.c.id, events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.data)
        .where(
            events.c.search_text.contains(key, autoescape=True),
            events.c.timestamp >= filters.start_ts,
            events.c.timestamp < filters.end_ts,
        )
        .order_by(events.c.timestamp, events.c.id)
        .limit(MAX_MATCHED_MESSAGES)
    )
    found: Dict[str, ConversationMatches] = {}
    with engine.connect() as connection:
        for row in connection.execute(statement):
            if row.sender_id in found:
                found[row.sender_id].count += 1
                continue
            try:
                data = json.loads(row.data)
            except (TypeError, ValueError, RecursionError):
                data = {}
            text = safe_text(data.get("text") if isinstance(data, dict) else None)
            at = datetime.fromtimestamp(row.timestamp, tz=timezone.utc)
            found[row.sender_id] = ConversationMatches(
                Match(row.id, row.sender_id, at, row.type_name == "user", text), 1
            )
    return found


def _folded_positions(text: str) -> Tuple[str, List[int]]:
    """``text`` folded as :func:`fold_for_search` folds it, and for each folded character its index in ``text``."""
    folded: List[str] = []
    positions: List[int] = []
    for index, char in enumerate(text):
        if char.isspace():
            if folded and folded[-1] != " ":
                folded.append(" ")
                positions.append(index)
            continue
        for piece in fold_for_search(char):
            folded.append(piece)
            positions.append(index)
    return "".join(folded), positions


def quote(text: str, query: str, width: int = QUOTE_CHARS) -> Markup:
    """A stretch of ``text`` around the first match of ``query``, the match in <mark>, the rest escaped."""
    key = fold_for_search(query)
    folded, positions = _folded_positions(text)
    at = folded.find(key) if key else -1
    if at < 0:
        return escape(text[:width] + ("…" if len(text) > width else ""))
    start, end = positions[at], positions[at + len(key) - 1] + 1
    # the rest of a character whose marks follow it (NFD text) belongs to the match
    while end < len(text) and fold_for_search(text[end]) == "" and not text[end].isspace():
        end += 1
    before = max(0, start - (width - (end - start)) // 2)
    after = min(len(text), before + max(width, end - start))
    return Markup("{}{}<mark>{}</mark>{}{}").format(
        "…" if before > 0 else "",
        text[before:start],
        text[start:end],
        text[end:after],
        "…" if after < len(text) else "",
    )
