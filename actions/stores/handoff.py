"""Requests for a person and complaints: the officers' queue.

The action server opens a request when a citizen asks for a person; officers take, answer, hand
back and close it from the dashboard (web/dashboard/handoff.py). Taking is one conditional UPDATE,
so two officers, on one web server or on several replicas sharing the database, can never both
own a conversation. The message text itself stays in the (masked) tracker.
"""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import func, select, update
from sqlalchemy.orm import sessionmaker

from actions.stores.tables import CallbackRequest, HandoffRequest
from core.db import utcnow
from core.settings import VIETNAM_TIME

logger = logging.getLogger(__name__)

REQUEST_HUMAN = "request_human"
COMPLAIN = "complain"
NEW, TAKEN, ANSWERED, CLOSED = "new", "taken", "answered", "closed"
STATUSES = (NEW, TAKEN, ANSWERED, CLOSED)
OPEN_STATUSES = (NEW, TAKEN)


@dataclass(frozen=True)
class Ticket:
    """One request as the queue shows it."""

    id: int
    conversation_id: str
    channel: str
    kind: str
    procedure_id: Optional[str]
    status: str
    owner: Optional[str]
    created_at: datetime
    taken_at: Optional[datetime]
    first_reply_at: Optional[datetime]
    closed_at: Optional[datetime]
    callback_offered_at: Optional[datetime]
    has_callback: bool = False
    callback_expected_by: Optional[datetime] = None

    def waited(self, now: Optional[datetime] = None) -> timedelta:
        """How long the citizen waited for an officer: until taken, or until now."""
        return (self.taken_at or now or utcnow()) - self.created_at


@dataclass(frozen=True)
class QueueFigures:
    """Requests for a person over a period, for the overview."""

    per_day: Dict[date, int]
    total: int
    answered: int
    median_wait: Optional[timedelta]
    waits_measured: int

    @property
    def answered_share(self) -> Optional[float]:
        return self.answered / self.total if self.total else None


def _ticket(row: HandoffRequest, callback: Optional[CallbackRequest] = None) -> Ticket:
    return Ticket(
        row.id,
        row.conversation_id,
        row.channel,
        row.kind,
        row.procedure_id,
        row.status,
        row.owner,
        row.created_at,
        row.taken_at,
        row.first_reply_at,
        row.closed_at,
        row.callback_offered_at,
        has_callback=bool(callback and callback.phone_encrypted),
        callback_expected_by=callback.expected_by if callback else None,
    )


class HandoffQueue:
    """Rows in ``handoff_requests``: opened by the action server, worked by officers."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def _change(self, request_id: int, conditions: Tuple[Any, ...], **values: Any) -> bool:
        """One conditional UPDATE of a request (atomic, so it is safe between replicas); True when it applied."""
        with self._sessions() as session, session.begin():
            result = session.execute(
                update(HandoffRequest).where(HandoffRequest.id == request_id, *conditions).values(**values)
            )
            return result.rowcount == 1

    @staticmethod
    def _held_by(officer: str) -> Tuple[Any, ...]:
        return (HandoffRequest.owner == officer, HandoffRequest.status == TAKEN)

    # ---- the citizen's side (action server) ----------------------------------------------------
    def record(self, conversation_id: str, channel: str, kind: str, procedure_id: Optional[str] = None) -> int:
        """Store one request and return its id; a complaint needs no officer to join and is closed at once."""
        status = CLOSED if kind == COMPLAIN else NEW
        with self._sessions() as session, session.begin():
            row = HandoffRequest(
                conversation_id=conversation_id,
                channel=channel,
                kind=kind,
                procedure_id=procedure_id,
                status=status,
                closed_at=utcnow() if status == CLOSED else None,
            )
            session.add(row)
            session.flush()
            row_id = row.id
        logger.info("handoff.recorded id=%s kind=%s conversation=%s channel=%s", row_id, kind, conversation_id, channel)
        return row_id

    def open_request(self, conversation_id: str, channel: str, procedure_id: Optional[str] = None) -> Ticket:
        """The conversation's waiting or taken request for a person; a new one when it has none."""
        existing = self.open_for(conversation_id)
        if existing is not None:
            return existing
        ticket = self.get(self.record(conversation_id, channel, REQUEST_HUMAN, procedure_id))
        assert ticket is not None
        return ticket

    def open_for(self, conversation_id: str) -> Optional[Ticket]:
        """The newest request of the conversation that is still waiting or taken."""
        with self._sessions() as session:
            row = session.execute(
                select(HandoffRequest)
                .where(HandoffRequest.conversation_id == conversation_id, HandoffRequest.status.in_(OPEN_STATUSES))
                .order_by(HandoffRequest.id.desc())
                .limit(1)
            ).scalar_one_or_none()
            return _ticket(row) if row else None

    def is_taken(self, conversation_id: str) -> bool:
        """True while an officer has the conversation (the assistant stays silent)."""
        with self._sessions() as session:
            found = session.execute(
                select(HandoffRequest.id)
                .where(HandoffRequest.conversation_id == conversation_id, HandoffRequest.status == TAKEN)
                .limit(1)
            ).first()
            return found is not None

    def offer_callback(self, request_id: int) -> bool:
        """Marks that the citizen was offered a callback; False when that was already done or taken."""
        return self._change(
            request_id,
            (HandoffRequest.status == NEW, HandoffRequest.callback_offered_at.is_(None)),
            callback_offered_at=utcnow(),
        )

    # ---- the officers' side (dashboard) --------------------------------------------------------
    def get(self, request_id: int) -> Optional[Ticket]:
        with self._sessions() as session:
            row = session.get(HandoffRequest, request_id)
            if row is None:
                return None
            callback = session.execute(
                select(CallbackRequest).where(CallbackRequest.handoff_id == request_id)
            ).scalar_one_or_none()
            return _ticket(row, callback)

    def take(self, request_id: int, officer: str) -> bool:
        """Gives a waiting request to ``officer``; False when someone else took it first (or it is not waiting)."""
        taken = self._change(
            request_id, (HandoffRequest.status == NEW,), status=TAKEN, owner=officer, taken_at=utcnow()
        )
        logger.info("handoff.take id=%s officer=%s taken=%s", request_id, officer, taken)
        return taken

    def untake(self, request_id: int, officer: str) -> None:
        """Puts a request back in the queue when joining the conversation failed."""
        self._change(request_id, self._held_by(officer), status=NEW, owner=None, taken_at=None)

    def replied(self, request_id: int) -> None:
        """Notes the time of the officer's first reply (the request counts as answered)."""
        self._change(request_id, (HandoffRequest.first_reply_at.is_(None),), first_reply_at=utcnow())

    def hand_back(self, request_id: int, officer: str) -> bool:
        """The owner gives the conversation back to the assistant; False when they do not own it."""
        return self._change(request_id, self._held_by(officer), status=ANSWERED, handed_back_at=utcnow())

    def close(self, request_id: int) -> bool:
        """Closes a request (the dashboard hands a taken one back first) and deletes its callback number."""
        now = utcnow()
        with self._sessions() as session, session.begin():
            result = session.execute(
                update(HandoffRequest)
                .where(HandoffRequest.id == request_id, HandoffRequest.status != CLOSED)
                .values(status=CLOSED, closed_at=now)
            )
            session.execute(
                update(CallbackRequest)
                .where(CallbackRequest.handoff_id == request_id, CallbackRequest.phone_encrypted.is_not(None))
                .values(phone_encrypted=None, deleted_at=now)
            )
            return result.rowcount == 1

    def queue(self, status: Optional[str] = None, channel: Optional[str] = None, limit: int = 200) -> List[Ticket]:
        """Requests for a person, waiting ones first (oldest first), then the rest newest first."""
        query = select(HandoffRequest, CallbackRequest).outerjoin(
            CallbackRequest, CallbackRequest.handoff_id == HandoffRequest.id
        )
        query = query.where(HandoffRequest.kind == REQUEST_HUMAN)
        if status:
            query = query.where(HandoffRequest.status == status)
        if channel:
            query = query.where(HandoffRequest.channel == channel)
        with self._sessions() as session:
            rows = session.execute(query.order_by(HandoffRequest.id.desc()).limit(limit)).all()
        tickets = [_ticket(row, callback) for row, callback in rows]
        waiting = sorted((t for t in tickets if t.status == NEW), key=lambda t: t.id)
        return waiting + [t for t in tickets if t.status != NEW]

    def counts(self) -> Dict[str, int]:
        """Requests for a person per status."""
        with self._sessions() as session:
            rows = session.execute(
                select(HandoffRequest.status, func.count())
                .where(HandoffRequest.kind == REQUEST_HUMAN)
                .group_by(HandoffRequest.status)
            ).all()
        return {status: 0 for status in STATUSES} | {status: n for status, n in rows}

    def figures(self, start: date, end: date, channel: Optional[str] = None) -> QueueFigures:
        """Requests per day (Vietnam time), the median wait of those taken, and the share answered."""
        low = datetime.combine(start, datetime.min.time(), VIETNAM_TIME)
        high = datetime.combine(end + timedelta(days=1), datetime.min.time(), VIETNAM_TIME)
        query = select(HandoffRequest).where(
            HandoffRequest.kind == REQUEST_HUMAN, HandoffRequest.created_at >= low, HandoffRequest.created_at < high
        )
        if channel:
            query = query.where(HandoffRequest.channel == channel)
        with self._sessions() as session:
            tickets = [_ticket(row) for row in session.execute(query).scalars()]
        per_day: Dict[date, int] = {}
        for ticket in tickets:
            day = ticket.created_at.astimezone(VIETNAM_TIME).date()
            per_day[day] = per_day.get(day, 0) + 1
        waits = [t.waited() for t in tickets if t.taken_at is not None]
        return QueueFigures(
            per_day=dict(sorted(per_day.items())),
            total=len(tickets),
            answered=sum(1 for t in tickets if t.first_reply_at is not None),
            median_wait=statistics.median(waits) if waits else None,
            waits_measured=len(waits),
        )

    def for_conversation(self, conversation_id: str) -> List[HandoffRequest]:
        """All requests of one conversation, oldest first."""
        with self._sessions() as session:
            query = select(HandoffRequest).where(HandoffRequest.conversation_id == conversation_id)
            return list(session.execute(query.order_by(HandoffRequest.id)).scalars())
