"""What the communications team sees: conversations rebuilt from Rasa's tracker events, and what
citizens said of the assistant's answers and of the online public services.

Reads ``analytics_events``, the masked copy of the tracker events (bot/analytics_events.py),
and our ``answer_feedback``, ``service_surveys``, ``handoff_requests`` and ``procedures`` tables
through SQLAlchemy, so it works on SQLite and PostgreSQL alike.

Two kinds of evaluation are kept apart everywhere: the 👍/👎 on an answer measures the assistant,
the end-of-conversation survey measures the public service itself. Every share and mean carries its
n and a 95% interval (statistics.py); days, weeks and months are Vietnam time.

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

from actions.stores.tables import AnswerFeedback, HandoffRequest, ServiceSurvey
from bot.analytics_events import AnalyticsEvent
from core.contract import FEEDBACK_REASONS, SURVEY_CRITERIA, AnswerStatus, Intent, Slot, SurveyCriterion
from core.settings import VIETNAM_TIME
from knowledge_base.stored_text import UNPRINTABLE
from knowledge_base.tables import Procedure
from knowledge_base.text import fold
from web.dashboard.statistics import HIGHEST_SCORE, LOWEST_SCORE, Mean, Share, mean_interval, wilson
from web.dashboard.wording import REASON_LABELS

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


def _day(moment: datetime) -> date:
    """The Vietnamese calendar day of a moment."""
    return moment.astimezone(VIETNAM_TIME).date()


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
    message_id: Optional[str] = None
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
    """Date range (inclusive, Vietnam time) and optional channel, as chosen on the page."""

    start: date
    end: date
    channel: Optional[str] = None

    @classmethod
    def last_days(cls, days: int = 30, channel: Optional[str] = None) -> "Filters":
        today = datetime.now(VIETNAM_TIME).date()
        return cls(today - timedelta(days=days - 1), today, channel)

    @property
    def start_at(self) -> datetime:
        """The first moment of the range: midnight of its first day in Vietnam."""
        return datetime.combine(self.start, time.min, tzinfo=VIETNAM_TIME)

    @property
    def end_at(self) -> datetime:
        """The first moment after the range."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=VIETNAM_TIME)

    @property
    def start_ts(self) -> float:
        return self.start_at.timestamp()

    @property
    def end_ts(self) -> float:
        return self.end_at.timestamp()

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
                        message_id=_name(data.get("message_id")),
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

    def feedback(self, filters: Filters, conversation_id: Optional[str] = None) -> List[AnswerFeedback]:
        """👍/👎 on answers given in the date range, or all of one conversation's, oldest first."""
        return self._rows(AnswerFeedback, filters, conversation_id)

    def surveys(self, filters: Filters, conversation_id: Optional[str] = None) -> List[ServiceSurvey]:
        """Service surveys started in the date range, or all of one conversation's, oldest first."""
        return self._rows(ServiceSurvey, filters, conversation_id)

    def _rows(self, table: Any, filters: Filters, conversation_id: Optional[str]) -> List[Any]:
        if conversation_id is not None:
            query = select(table).where(table.conversation_id == conversation_id)
        else:
            query = select(table).where(table.created_at >= filters.start_at, table.created_at < filters.end_at)
        if filters.channel:
            query = query.where(table.channel == filters.channel)
        with Session(self.engine) as session:
            return list(session.execute(query.order_by(table.id)).scalars())

    def handoff_conversations(self) -> set:
        with self.engine.connect() as connection:
            return {row[0] for row in connection.execute(select(HandoffRequest.conversation_id))}

    def procedure_names(self) -> Dict[str, str]:
        with self.engine.connect() as connection:
            return {row.id: row.name for row in connection.execute(select(Procedure.id, Procedure.name))}

    def procedures(self) -> Dict[str, "ProcedureInfo"]:
        """Name, field (lĩnh vực) and level (cấp) of every procedure: services are compared within both."""
        query = select(Procedure.id, Procedure.name, Procedure.field, Procedure.level)
        with self.engine.connect() as connection:
            return {
                row.id: ProcedureInfo(row.name, row.field or "", row.level or "") for row in connection.execute(query)
            }


def conversations_per_day(turns: Iterable[Turn], filters: Filters) -> Dict[str, List[Tuple[str, float]]]:
    """Distinct conversations per day, one series per channel."""
    seen: Dict[Tuple[str, date], set] = defaultdict(set)
    for turn in turns:
        seen[(turn.channel, _day(turn.at))].add(turn.sender_id)
    channels = sorted({channel for channel, _ in seen})
    return {
        channel: [(day.strftime("%d/%m"), float(len(seen.get((channel, day), ())))) for day in filters.days()]
        for channel in channels
    }


def unanswered_share_per_day(turns: Iterable[Turn], filters: Filters) -> List[Tuple[str, float]]:
    """Share of citizen messages not understood or not answerable, per day (0-1)."""
    totals, misses = Counter(), Counter()
    for turn in turns:
        totals[_day(turn.at)] += 1
        misses[_day(turn.at)] += int(turn.unanswered)
    return [(day.strftime("%d/%m"), misses[day] / totals[day] if totals[day] else 0.0) for day in filters.days()]


def top_counts(values: Iterable[Optional[str]], limit: int = 10) -> List[Tuple[str, int]]:
    return Counter(v for v in values if v).most_common(limit)


@dataclass(frozen=True)
class Totals:
    """The period's volume, as the overview and the reports head it."""

    conversations: int
    messages: int
    unanswered: int


def totals(turns: Iterable[Turn]) -> Totals:
    """Distinct conversations, citizen messages, and those not understood or not answerable."""
    turns = list(turns)
    return Totals(len({t.sender_id for t in turns}), len(turns), sum(t.unanswered for t in turns))


# ---- what citizens said of the assistant's answers (👍/👎) -----------------------------------------
NO_KEY = ""  # the row of feedback or surveys without a procedure (or intent)
RECENT_COMMENTS = 5


@dataclass
class AnswerQuality:
    """The assistant's answers for one procedure, intent or channel: the 👍 share and why 👎."""

    key: str
    helpful: Share
    reasons: List[Tuple[Optional[str], int]]
    comments: List[str]

    @property
    def not_helpful(self) -> int:
        return self.helpful.n - self.helpful.k


def reason_counts(feedback: Iterable[AnswerFeedback]) -> List[Tuple[Optional[str], int]]:
    """Each 👎 reason with its count, in the order the buttons offer them; None: no reason given."""
    counts = Counter(row.reason if row.reason in FEEDBACK_REASONS else None for row in feedback if not row.helpful)
    return [(reason, counts[reason]) for reason in (*FEEDBACK_REASONS, None) if counts[reason]]


def _answer_quality(key: str, rows: List[AnswerFeedback]) -> AnswerQuality:
    newest = sorted(rows, key=lambda row: (row.created_at, row.id), reverse=True)
    return AnswerQuality(
        key=key,
        helpful=wilson(sum(1 for row in rows if row.helpful), len(rows)),
        reasons=reason_counts(rows),
        comments=[row.comment for row in newest if row.comment and not row.helpful][:RECENT_COMMENTS],
    )


def answer_quality_overall(feedback: Iterable[AnswerFeedback]) -> AnswerQuality:
    """All answers rated in the period together."""
    return _answer_quality(NO_KEY, list(feedback))


def answer_quality(feedback: Iterable[AnswerFeedback], by: str = "procedure_id") -> List[AnswerQuality]:
    """One row per value of ``by`` (procedure_id, intent or channel), most rated first."""
    grouped: Dict[str, List[AnswerFeedback]] = defaultdict(list)
    for row in feedback:
        grouped[getattr(row, by) or NO_KEY].append(row)
    rows = [_answer_quality(key, items) for key, items in grouped.items()]
    return sorted(rows, key=lambda row: (-row.helpful.n, row.key))


# ---- what citizens said of the online public service itself (the survey) ------------------------
SATISFIED_FROM = 4  # "hài lòng": 4 or 5 of 5
OTHER_CRITERIA = tuple(c for c in SURVEY_CRITERIA if c != SurveyCriterion.OVERALL)


@dataclass(frozen=True)
class ProcedureInfo:
    """What the services table needs of a procedure: its name, field (lĩnh vực) and level (cấp)."""

    name: str
    field: str
    level: str


@dataclass
class ServiceEvaluation:
    """The survey answers for one service (or channel): the overall score, each criterion, the satisfied share.

    ``rank`` is set only among services of one field and level with enough answers (rank_services).
    """

    key: str
    overall: Mean
    satisfied: Share
    criteria: Dict[str, Mean]
    rank: Optional[int] = None

    @property
    def answers(self) -> int:
        """How many citizens gave the service an overall score: what ranking needs enough of."""
        return self.overall.n


def score_of(value: Any) -> Optional[int]:
    """A stored score when it is one (1-5); rows not written by our store may hold anything."""
    if isinstance(value, bool) or not isinstance(value, int) or not LOWEST_SCORE <= value <= HIGHEST_SCORE:
        return None
    return value


def _scores(surveys: Iterable[ServiceSurvey], criterion: str) -> List[int]:
    return [score for score in (score_of(getattr(row, criterion)) for row in surveys) if score is not None]


def _service_evaluation(key: str, rows: List[ServiceSurvey]) -> ServiceEvaluation:
    overall = _scores(rows, SurveyCriterion.OVERALL)
    return ServiceEvaluation(
        key=key,
        overall=mean_interval(overall),
        satisfied=wilson(sum(1 for score in overall if score >= SATISFIED_FROM), len(overall)),
        criteria={criterion: mean_interval(_scores(rows, criterion)) for criterion in OTHER_CRITERIA},
    )


def service_evaluation_overall(surveys: Iterable[ServiceSurvey]) -> ServiceEvaluation:
    """Every survey of the period together."""
    return _service_evaluation(NO_KEY, list(surveys))


def service_evaluation(surveys: Iterable[ServiceSurvey], by: str = "procedure_id") -> List[ServiceEvaluation]:
    """One row per value of ``by`` (procedure_id or channel) with at least one score, most answered first."""
    grouped: Dict[str, List[ServiceSurvey]] = defaultdict(list)
    for row in surveys:
        if any(score_of(getattr(row, criterion)) is not None for criterion in SURVEY_CRITERIA):
            grouped[getattr(row, by) or NO_KEY].append(row)
    rows = [_service_evaluation(key, items) for key, items in grouped.items()]
    return sorted(rows, key=lambda row: (-row.answers, row.key))


def score_distribution(
    surveys: Iterable[ServiceSurvey], criterion: str = SurveyCriterion.OVERALL
) -> List[Tuple[str, int]]:
    """How many citizens gave each score, 1 to 5."""
    counts = Counter(_scores(surveys, criterion))
    return [(str(score), counts[score]) for score in range(1, 6)]


@dataclass
class ServiceGroup:
    """The services of one field and level: only they are compared with one another."""

    field: str
    level: str
    ranked: List[ServiceEvaluation]
    unranked: List[ServiceEvaluation]


def rank_services(
    evaluations: Iterable[ServiceEvaluation], procedures: Dict[str, ProcedureInfo], min_answers: int
) -> List[ServiceGroup]:
    """Group services by field and level; within a group rank those with at least ``min_answers``
    overall scores (never fewer than 2, which an interval needs) by the lower bound of the 95%
    interval of their mean overall score, highest first: a service ranks high only when it is
    good with confidence, not when three citizens happened to like it. Equal bounds share a rank.
    The others are listed with their figures, unranked."""
    threshold = max(min_answers, 2)
    grouped: Dict[Tuple[str, str], List[ServiceEvaluation]] = defaultdict(list)
    for evaluation in evaluations:
        info = procedures.get(evaluation.key)
        grouped[(info.field, info.level) if info else (NO_KEY, NO_KEY)].append(evaluation)
    groups = []
    for (field_name, level), items in sorted(grouped.items(), key=lambda item: (not item[0][0], item[0])):
        eligible = [e for e in items if e.answers >= threshold]
        eligible.sort(key=lambda e: (-e.overall.low, -e.overall.value, -e.answers, e.key))
        for position, evaluation in enumerate(eligible):
            previous = eligible[position - 1] if position else None
            same = previous is not None and previous.overall.low == evaluation.overall.low
            evaluation.rank = previous.rank if same else position + 1
        others = sorted((e for e in items if e.answers < threshold), key=lambda e: (-e.answers, e.key))
        for evaluation in others:
            evaluation.rank = None
        groups.append(ServiceGroup(field_name, level, eligible, others))
    return groups


# ---- weeks and months ---------------------------------------------------------------------------
WEEK, MONTH = "week", "month"


def period_of(moment: datetime, period: str) -> Tuple[int, int]:
    """(ISO year, ISO week) or (year, month) of a moment, in Vietnam time."""
    day = _day(moment)
    if period == WEEK:
        year, week, _ = day.isocalendar()
        return year, week
    return day.year, day.month


def period_label(key: Tuple[int, int], period: str) -> str:
    """ "Tuần 47/2026" or "Tháng 11/2026"."""
    return f"Tuần {key[1]}/{key[0]}" if period == WEEK else f"Tháng {key[1]:02d}/{key[0]}"


def _periods(filters: Filters, period: str) -> List[Tuple[int, int]]:
    keys: List[Tuple[int, int]] = []
    for day in filters.days():
        key = period_of(datetime.combine(day, time(12), tzinfo=VIETNAM_TIME), period)
        if key not in keys:
            keys.append(key)
    return keys


def answer_trend(feedback: Iterable[AnswerFeedback], filters: Filters, period: str) -> List[Tuple[str, Share]]:
    """The 👍 share of each week or month the range touches (n = 0 where nobody rated)."""
    grouped: Dict[Tuple[int, int], List[bool]] = defaultdict(list)
    for row in feedback:
        grouped[period_of(row.created_at, period)].append(bool(row.helpful))
    return [
        (period_label(key, period), wilson(sum(grouped[key]), len(grouped[key]))) for key in _periods(filters, period)
    ]


def service_trend(surveys: Iterable[ServiceSurvey], filters: Filters, period: str) -> List[Tuple[str, Mean]]:
    """The mean overall service score of each week or month the range touches."""
    grouped: Dict[Tuple[int, int], List[ServiceSurvey]] = defaultdict(list)
    for row in surveys:
        grouped[period_of(row.created_at, period)].append(row)
    return [
        (period_label(key, period), mean_interval(_scores(grouped[key], SurveyCriterion.OVERALL)))
        for key in _periods(filters, period)
    ]


# ---- one period's evaluation: what the services page and the reports both show -------------------
@dataclass
class Evaluation:
    """Everything the services page and the signed reports show of one period, computed once here
    so that the two can never disagree."""

    filters: Filters
    min_answers: int
    answers: AnswerQuality
    answers_by_procedure: List[AnswerQuality]
    answers_by_intent: List[AnswerQuality]
    answers_by_channel: List[AnswerQuality]
    answers_by_week: List[Tuple[str, Share]]
    answers_by_month: List[Tuple[str, Share]]
    service: ServiceEvaluation
    service_groups: List[ServiceGroup]
    service_by_channel: List[ServiceEvaluation]
    service_by_week: List[Tuple[str, Mean]]
    service_by_month: List[Tuple[str, Mean]]
    procedures: Dict[str, ProcedureInfo]


def evaluate(data: ReviewData, filters: Filters, min_answers: int) -> Evaluation:
    """Both evaluations of the period in ``filters``: the assistant's answers and the services."""
    feedback = data.feedback(filters)
    surveys = data.surveys(filters)
    procedures = data.procedures()
    return Evaluation(
        filters=filters,
        min_answers=min_answers,
        answers=answer_quality_overall(feedback),
        answers_by_procedure=answer_quality(feedback, "procedure_id"),
        answers_by_intent=answer_quality(feedback, "intent"),
        answers_by_channel=answer_quality(feedback, "channel"),
        answers_by_week=answer_trend(feedback, filters, WEEK),
        answers_by_month=answer_trend(feedback, filters, MONTH),
        service=service_evaluation_overall(surveys),
        service_groups=rank_services(service_evaluation(surveys, "procedure_id"), procedures, min_answers),
        service_by_channel=service_evaluation(surveys, "channel"),
        service_by_week=service_trend(surveys, filters, WEEK),
        service_by_month=service_trend(surveys, filters, MONTH),
        procedures=procedures,
    )


def _words(text: str) -> frozenset:
    return frozenset(fold(text).split())


def thumbs_down_label(reason: Optional[str]) -> str:
    """How the unanswered list names a 👎: with its reason when the citizen gave one."""
    return f"👎 {REASON_LABELS[reason]}" if reason in REASON_LABELS else "👎"


def group_unanswered(
    turns: List[Turn], feedback: Iterable[AnswerFeedback], similarity: float = 0.6
) -> List[UnansweredGroup]:
    """Questions not handled (fallback, not in the knowledge base, answered but 👎), near-duplicates merged.

    A 👎 names the turn it rates by the id of the citizen's message (``turn_id``), so the question
    shown is exactly the one whose answer was rated; feedback on a turn outside ``turns`` (another
    period or channel, or carried over from before turns were recorded) is left out.
    """
    candidates: List[Tuple[Turn, str]] = [
        (t, "không hiểu" if t.not_understood else "chưa có thông tin") for t in turns if t.unanswered and t.text.strip()
    ]
    by_message = {(t.sender_id, t.message_id): t for t in turns if t.message_id}
    for row in feedback:
        turn = by_message.get((row.conversation_id, row.turn_id))
        if not row.helpful and turn is not None and turn.text.strip():
            candidates.append((turn, thumbs_down_label(row.reason)))
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
