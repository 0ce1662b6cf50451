"""What the communications team sees: conversations rebuilt from Rasa's tracker events, plus ratings.

Reads ``analytics_events``, the masked copy of the tracker events (bot/analytics_events.py),
and our ``ratings``, ``handoff_requests`` and ``procedures`` tables through SQLAlchemy, so it
works on SQLite and PostgreSQL alike.

Event data is whatever clients sent (a REST body may put an object where Rasa expects a
string), so every field is read defensively: a page must render whatever is stored.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Dict, Iterable, List, Optional, Tuple

from sqlalchemy import and_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.stores.tables import HandoffRequest, Rating
from bot.analytics_events import AnalyticsEvent
from core.contract import AnswerStatus, Intent, Slot
from knowledge_base.stored_text import UNPRINTABLE
from knowledge_base.tables import Procedure
from knowledge_base.text import fold

NOT_UNDERSTOOD = {AnswerStatus.NOT_UNDERSTOOD}
UNANSWERED_STATUSES = {AnswerStatus.NOT_UNDERSTOOD, AnswerStatus.NOT_FOUND}
LOW_CONFIDENCE = 0.6
NAME_CHARS = 128
# The characters stores strip (knowledge_base/stored_text.py: a NUL breaks CSV writers), plus lone
# UTF-16 surrogates, which JSON escapes can carry but UTF-8 cannot encode: rows written before that
# cleaning, or not by our stores, may hold either.
_UNPRINTABLE = re.compile(f"[{UNPRINTABLE}\ud800-\udfff]")


def safe_text(value: Any) -> str:
    """Any stored value as text fit to show or export: structures as JSON, unprintable characters removed."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return _UNPRINTABLE.sub("", value)


def _name(value: Any) -> Optional[str]:
    """An identifier-like field (channel, intent, slot value, action): short safe text, or None when empty."""
    return safe_text(value)[:NAME_CHARS] or None


def _mapping(value: Any) -> Dict:
    return value if isinstance(value, dict) else {}


def _confidence(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return 0.0
    return min(max(float(value), 0.0), 1.0)


def _event_data(raw: Any) -> Dict:
    try:
        return _mapping(json.loads(raw))
    except (TypeError, ValueError, RecursionError):
        return {}


def _moment(timestamp: Any) -> Optional[datetime]:
    try:
        return datetime.fromtimestamp(float(timestamp), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


@dataclass
class Turn:
    """One citizen message and what the assistant did with it."""

    event_id: int
    sender_id: str
    at: datetime
    text: str
    intent: Optional[str]
    confidence: float
    channel: str
    procedure_id: Optional[str] = None
    answer_status: Optional[str] = None
    actions: List[str] = field(default_factory=list)
    replies: List[Dict] = field(default_factory=list)

    @property
    def not_understood(self) -> bool:
        return self.intent == Intent.NLU_FALLBACK or self.answer_status in NOT_UNDERSTOOD

    @property
    def unanswered(self) -> bool:
        return self.intent == Intent.NLU_FALLBACK or self.answer_status in UNANSWERED_STATUSES

    @property
    def low_confidence(self) -> bool:
        return self.confidence < LOW_CONFIDENCE


@dataclass(frozen=True)
class Filters:
    """Date range (inclusive) and optional channel, as chosen on the page."""

    start: date
    end: date
    channel: Optional[str] = None

    @classmethod
    def last_days(cls, days: int = 30, channel: Optional[str] = None) -> "Filters":
        today = datetime.now(timezone.utc).date()
        return cls(today - timedelta(days=days - 1), today, channel)

    @property
    def start_ts(self) -> float:
        return datetime.combine(self.start, time.min, tzinfo=timezone.utc).timestamp()

    @property
    def end_ts(self) -> float:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=timezone.utc).timestamp()

    def days(self) -> List[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


@dataclass
class UnansweredGroup:
    """Near-identical questions the assistant could not handle, with how often they came."""

    text: str
    count: int
    last_seen: datetime
    examples: List[Turn]
    reasons: Counter


class ReviewData:
    """Queries for the dashboard over one database.

    Conversations come from ``analytics_events`` (bot/analytics_events.py), the masked copy of
    tracker events written by the Rasa server or fed from RabbitMQ, never from Rasa's own
    ``events`` table. Rows may arrive in any order, so they are read in event-time order.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def turns(self, filters: Filters, sender_id: Optional[str] = None) -> List[Turn]:
        """Citizen turns in the date range (optionally one conversation), oldest first."""
        events = AnalyticsEvent.__table__
        conditions = [events.c.timestamp >= filters.start_ts, events.c.timestamp < filters.end_ts]
        if sender_id is not None:
            conditions = [events.c.sender_id == sender_id]
        query = select(events.c.id, events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.data).where(
            and_(*conditions)
        )
        query = query.order_by(events.c.sender_id, events.c.timestamp, events.c.id)
        turns: List[Turn] = []
        current: Dict[str, Turn] = {}
        channel_of: Dict[str, str] = {}
        with self.engine.connect() as connection:
            for row in connection.execute(query):
                data = _event_data(row.data)
                kind = row.type_name
                if kind == "user":
                    at = _moment(row.timestamp)
                    if at is None:
                        continue
                    intent = _mapping(_mapping(data.get("parse_data")).get("intent"))
                    channel = _name(data.get("input_channel")) or channel_of.get(row.sender_id) or "rest"
                    channel_of[row.sender_id] = channel
                    turn = Turn(
                        row.id,
                        row.sender_id,
                        at,
                        safe_text(data.get("text")),
                        _name(intent.get("name")),
                        _confidence(intent.get("confidence")),
                        channel,
                    )
                    current[row.sender_id] = turn
                    turns.append(turn)
                    continue
                turn = current.get(row.sender_id)
                if turn is None:
                    continue
                name = _name(data.get("name"))
                if kind == "slot" and name == "procedure_id":
                    turn.procedure_id = _name(data.get("value"))
                elif kind == "slot" and name == Slot.ANSWER_STATUS:
                    turn.answer_status = _name(data.get("value"))
                elif kind == "action" and name not in (None, "action_listen"):
                    turn.actions.append(name)
                elif kind == "bot":
                    buttons = _mapping(data.get("data")).get("buttons")
                    titles = (
                        [safe_text(b.get("title")) for b in buttons if isinstance(b, dict)]
                        if isinstance(buttons, list)
                        else []
                    )
                    turn.replies.append({"text": safe_text(data.get("text")), "buttons": titles})
        if filters.channel:
            turns = [t for t in turns if t.channel == filters.channel]
        return sorted(turns, key=lambda t: (t.at, t.event_id))

    def ratings(self, filters: Filters, conversation_id: Optional[str] = None) -> List[Rating]:
        """Ratings in the date range, or every rating of one conversation."""
        if conversation_id is not None:
            query = select(Rating).where(Rating.conversation_id == conversation_id)
        else:
            start = datetime.fromtimestamp(filters.start_ts, tz=timezone.utc)
            end = datetime.fromtimestamp(filters.end_ts, tz=timezone.utc)
            query = select(Rating).where(Rating.created_at >= start, Rating.created_at < end)
        if filters.channel:
            query = query.where(Rating.channel == filters.channel)
        with Session(self.engine) as session:
            return list(session.execute(query.order_by(Rating.id)).scalars())

    def handoff_conversations(self) -> set:
        with self.engine.connect() as connection:
            return {row[0] for row in connection.execute(select(HandoffRequest.conversation_id))}

    def procedure_names(self) -> Dict[str, str]:
        with self.engine.connect() as connection:
            return {row.id: row.name for row in connection.execute(select(Procedure.id, Procedure.name))}


def conversations_per_day(turns: Iterable[Turn], filters: Filters) -> Dict[str, List[Tuple[str, float]]]:
    """Distinct conversations per day, one series per channel."""
    seen: Dict[Tuple[str, date], set] = defaultdict(set)
    for turn in turns:
        seen[(turn.channel, turn.at.date())].add(turn.sender_id)
    channels = sorted({channel for channel, _ in seen})
    return {
        channel: [(day.strftime("%d/%m"), float(len(seen.get((channel, day), ())))) for day in filters.days()]
        for channel in channels
    }


def unanswered_share_per_day(turns: Iterable[Turn], filters: Filters) -> List[Tuple[str, float]]:
    """Share of citizen messages not understood or not answerable, per day (0-1)."""
    totals, misses = Counter(), Counter()
    for turn in turns:
        totals[turn.at.date()] += 1
        misses[turn.at.date()] += int(turn.unanswered)
    return [(day.strftime("%d/%m"), misses[day] / totals[day] if totals[day] else 0.0) for day in filters.days()]


def top_counts(values: Iterable[Optional[str]], limit: int = 10) -> List[Tuple[str, int]]:
    return Counter(v for v in values if v).most_common(limit)


def csat_distribution(ratings: Iterable[Rating]) -> List[Tuple[str, int]]:
    counts = Counter(r.score for r in ratings if r.score)
    return [(str(score), counts.get(score, 0)) for score in range(1, 6)]


def csat_trend(ratings: Iterable[Rating], filters: Filters) -> List[Tuple[str, float]]:
    """Mean 1-5 score per day (days without ratings are skipped)."""
    by_day: Dict[date, List[int]] = defaultdict(list)
    for rating in ratings:
        if rating.score:
            by_day[rating.created_at.date()].append(rating.score)
    return [(day.strftime("%d/%m"), sum(by_day[day]) / len(by_day[day])) for day in filters.days() if by_day.get(day)]


def helpful_by_procedure(ratings: Iterable[Rating]) -> Dict[str, Tuple[int, int]]:
    """procedure id -> (👍 count, 👎 count)."""
    result: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
    for rating in ratings:
        if rating.helpful is not None and rating.procedure_id:
            result[rating.procedure_id][0 if rating.helpful else 1] += 1
    return {pid: (up, down) for pid, (up, down) in result.items()}


@dataclass
class ServiceSatisfaction:
    procedure_id: str
    count: int
    mean: float
    distribution: List[int]
    helpful: int
    not_helpful: int
    comments: List[str]


def satisfaction_by_procedure(ratings: Iterable[Rating]) -> List[ServiceSatisfaction]:
    """Per procedure: number of 1-5 ratings, mean, distribution, 👍/👎 and recent comments."""
    grouped: Dict[str, List[Rating]] = defaultdict(list)
    for rating in ratings:
        grouped[rating.procedure_id or ""].append(rating)
    rows = []
    for pid, items in grouped.items():
        scores = [r.score for r in items if r.score]
        rows.append(
            ServiceSatisfaction(
                procedure_id=pid,
                count=len(scores),
                mean=sum(scores) / len(scores) if scores else 0.0,
                distribution=[scores.count(s) for s in range(1, 6)],
                helpful=sum(1 for r in items if r.helpful is True),
                not_helpful=sum(1 for r in items if r.helpful is False),
                comments=[
                    r.comment
                    for r in sorted(items, key=lambda r: r.created_at, reverse=True)
                    if r.comment and r.comment != "(bỏ qua)"
                ][:5],
            )
        )
    return sorted(rows, key=lambda r: (-(r.count + r.helpful + r.not_helpful), r.procedure_id))


def _words(text: str) -> frozenset:
    return frozenset(fold(text).split())


def group_unanswered(turns: List[Turn], ratings: Iterable[Rating], similarity: float = 0.6) -> List[UnansweredGroup]:
    """Questions not handled (fallback, not in the knowledge base, answered but 👎), near-duplicates merged."""
    candidates: List[Tuple[Turn, str]] = [
        (t, "không hiểu" if t.not_understood else "chưa có thông tin") for t in turns if t.unanswered and t.text.strip()
    ]
    by_sender: Dict[str, List[Turn]] = defaultdict(list)
    for turn in turns:
        by_sender[turn.sender_id].append(turn)
    for rating in ratings:
        if rating.helpful is False:
            before = [
                t
                for t in by_sender.get(rating.conversation_id, [])
                if t.answer_status == AnswerStatus.ANSWERED and t.at <= rating.created_at
            ]
            if before:
                candidates.append((before[-1], "👎"))
    groups: List[Tuple[frozenset, List[Tuple[Turn, str]]]] = []
    for turn, reason in candidates:
        words = _words(turn.text)
        for key, members in groups:
            union = key | words
            if union and len(key & words) / len(union) >= similarity:
                members.append((turn, reason))
                break
        else:
            groups.append((words, [(turn, reason)]))
    result = []
    for _, members in groups:
        texts = Counter(t.text for t, _ in members)
        result.append(
            UnansweredGroup(
                text=texts.most_common(1)[0][0],
                count=len(members),
                last_seen=max(t.at for t, _ in members),
                examples=[t for t, _ in members][-3:],
                reasons=Counter(reason for _, reason in members),
            )
        )
    return sorted(result, key=lambda g: (-g.count, -g.last_seen.timestamp()))
