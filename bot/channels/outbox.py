"""The outbox: replies a messenger did not accept are kept and resent, so no turn is lost to a send.

Rasa sends a turn's replies from inside the turn (``MessageProcessor._run_action`` calls
``execute_side_effects`` after each action) and saves the tracker only after the last action
(``handle_message`` → ``save_tracker``): an exception from an output channel's send aborts the
turn, and the citizen's message is never stored. So the messenger channels send through a
:class:`Courier`, which never raises: a reply the messenger still refuses after the channel's own
short retries is written to ``outbound_messages`` (:class:`OutboxStore`), and the channel's
:class:`OutboxRetrier`, running in the Rasa server, resends it after 30 s, 2 min, 10 min, then
hourly, until it is delivered or, a day later, given up (``outbox.given_up channel=... id=...``).

Texts are stored masked (knowledge_base/privacy.py), as the tracker store keeps the bot's replies,
and a resent reply is the masked one: the raw text is kept only when masking leaves it unchanged,
that is when the masker finds no personal data in it. Replies come from the domain and the
knowledge base, so masking seldom changes them (hotlines are kept); when it does (a reply echoing
what a citizen typed, or a false positive) the resent reply carries the placeholder, and
``outbox.masked`` is logged so the difference can be looked into.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple, Type

from sanic import Blueprint
from sqlalchemy import func, select, update
from sqlalchemy.orm import sessionmaker

from bot.channels.tables import OutboundMessage
from core.db import session_factory, utcnow
from core.settings import get_settings
from knowledge_base.privacy import mask_personal_data

logger = logging.getLogger(__name__)

DEFAULT_RETRY_SECONDS: Tuple[float, ...] = (30, 120, 600, 3600)
GIVE_UP_AFTER = timedelta(hours=24)
# A claimed message is not taken again (by this or another replica) before its resend had time to end.
CLAIM_TIME = timedelta(minutes=5)
BATCH = 50
ERROR_CHARS = 200

Send = Callable[[str, Dict[str, Any]], Awaitable[Any]]
Errors = Tuple[Type[BaseException], ...]


def describe(exc: BaseException) -> str:
    """A short, masked description of a delivery failure, for ``last_error``."""
    return mask_personal_data(f"{type(exc).__name__}: {exc}")[:ERROR_CHARS]


def _masked(body: Dict[str, Any]) -> Dict[str, Any]:
    if isinstance(body.get("text"), str):
        return {**body, "text": mask_personal_data(body["text"])}
    return body


@dataclass(frozen=True)
class RetryPolicy:
    """When the outbox resends: ``delays`` after the 1st, 2nd, ... failure (the last one repeats)."""

    delays: Tuple[float, ...] = DEFAULT_RETRY_SECONDS
    give_up_after: timedelta = GIVE_UP_AFTER

    def __post_init__(self) -> None:
        if not self.delays or min(self.delays) <= 0:
            raise ValueError("outbox retry delays must be positive seconds")

    @classmethod
    def from_settings(cls) -> "RetryPolicy":
        """Delays from ``OUTBOX_RETRY_SECONDS`` (core/settings.py); tests set ``1`` to see a resend soon."""
        return cls(get_settings().outbox_retry_seconds or DEFAULT_RETRY_SECONDS)

    def delay_after(self, failures: int) -> timedelta:
        return timedelta(seconds=self.delays[min(max(failures, 1), len(self.delays)) - 1])

    @property
    def poll_seconds(self) -> float:
        """How often the retrier looks for due messages: as often as the shortest delay."""
        return min(self.delays)


class OutboxStore:
    """The ``outbound_messages`` table: what waits for delivery, what was delivered or given up."""

    def __init__(self, sessions: sessionmaker, policy: RetryPolicy = RetryPolicy()) -> None:
        self._sessions = sessions
        self.policy = policy

    @classmethod
    def from_settings(cls) -> "OutboxStore":
        return cls(session_factory(), RetryPolicy.from_settings())

    def add(
        self,
        channel: str,
        recipient: str,
        body: Dict[str, Any],
        error: Optional[str],
        given_up: bool = False,
        now: Optional[datetime] = None,
    ) -> OutboundMessage:
        """Keep one undelivered message, its text masked; ``error`` is None when it was not tried."""
        now = now or utcnow()
        row = OutboundMessage(
            channel=channel,
            recipient=recipient,
            body=_masked(body),
            attempts=0 if error is None else 1,
            last_error=error,
            created_at=now,
            next_attempt_at=now + self.policy.delay_after(1),
            given_up_at=now if given_up else None,
        )
        with self._sessions() as session, session.begin():
            session.add(row)
        if row.body != body:
            logger.info("outbox.masked channel=%s id=%s", channel, row.id)
        if given_up:
            logger.warning("outbox.given_up channel=%s id=%s attempts=%d", channel, row.id, row.attempts)
        return row

    def due(self, channel: str, limit: int = BATCH, now: Optional[datetime] = None) -> List[OutboundMessage]:
        """Messages of ``channel`` to resend now, oldest first."""
        query = (
            select(OutboundMessage)
            .where(
                OutboundMessage.channel == channel,
                OutboundMessage.delivered_at.is_(None),
                OutboundMessage.given_up_at.is_(None),
                OutboundMessage.next_attempt_at <= (now or utcnow()),
            )
            .order_by(OutboundMessage.id)
            .limit(limit)
        )
        with self._sessions() as session:
            return list(session.execute(query).scalars())

    def claim(self, message: OutboundMessage, now: Optional[datetime] = None) -> bool:
        """Take ``message`` for one resend (counting it); False when another retrier took it first."""
        with self._sessions() as session, session.begin():
            result = session.execute(
                update(OutboundMessage)
                .where(
                    OutboundMessage.id == message.id,
                    OutboundMessage.attempts == message.attempts,
                    OutboundMessage.delivered_at.is_(None),
                    OutboundMessage.given_up_at.is_(None),
                )
                .values(attempts=message.attempts + 1, next_attempt_at=(now or utcnow()) + CLAIM_TIME)
            )
        if result.rowcount != 1:
            return False
        message.attempts += 1
        return True

    def delivered(self, message: OutboundMessage, now: Optional[datetime] = None) -> None:
        with self._sessions() as session, session.begin():
            session.execute(
                update(OutboundMessage).where(OutboundMessage.id == message.id).values(delivered_at=now or utcnow())
            )

    def failed(
        self, message: OutboundMessage, error: str, permanent: bool = False, now: Optional[datetime] = None
    ) -> bool:
        """Record a failed resend of a claimed message: schedule the next one or give up (True)."""
        now = now or utcnow()
        next_at = now + self.policy.delay_after(message.attempts)
        give_up = permanent or next_at - message.created_at > self.policy.give_up_after
        row = update(OutboundMessage).where(OutboundMessage.id == message.id)
        with self._sessions() as session, session.begin():
            if give_up:
                session.execute(row.values(last_error=error, given_up_at=now))
            else:
                session.execute(row.values(last_error=error, next_attempt_at=next_at))
                # Later messages to the same citizen wait with this one, so they still arrive in order.
                session.execute(
                    update(OutboundMessage)
                    .where(
                        OutboundMessage.channel == message.channel,
                        OutboundMessage.recipient == message.recipient,
                        OutboundMessage.id > message.id,
                        OutboundMessage.delivered_at.is_(None),
                        OutboundMessage.given_up_at.is_(None),
                        OutboundMessage.next_attempt_at < next_at,
                    )
                    .values(next_attempt_at=next_at)
                )
        if give_up:
            logger.warning(
                "outbox.given_up channel=%s id=%s attempts=%d", message.channel, message.id, message.attempts
            )
        return give_up

    def pending(self, limit: int = 100) -> List[OutboundMessage]:
        """Messages still waiting for delivery, oldest first (for the dashboard)."""
        query = (
            select(OutboundMessage)
            .where(OutboundMessage.delivered_at.is_(None), OutboundMessage.given_up_at.is_(None))
            .order_by(OutboundMessage.id)
            .limit(limit)
        )
        with self._sessions() as session:
            return list(session.execute(query).scalars())

    def has_pending(self, channel: str, recipient: str) -> bool:
        """Whether replies to ``recipient`` still wait for delivery (a new one must queue behind them)."""
        query = (
            select(OutboundMessage.id)
            .where(
                OutboundMessage.channel == channel,
                OutboundMessage.recipient == recipient,
                OutboundMessage.delivered_at.is_(None),
                OutboundMessage.given_up_at.is_(None),
            )
            .limit(1)
        )
        with self._sessions() as session:
            return session.execute(query).first() is not None

    def collect(self, channel: str, recipient: str, now: Optional[datetime] = None) -> List[Dict[str, Any]]:
        """Hands over (and marks delivered) what waits for ``recipient``, oldest first.

        For a channel whose client fetches its messages (REST); a message two requests collect at
        once goes to the one whose update marked it.
        """
        now = now or utcnow()
        waiting = (
            select(OutboundMessage)
            .where(
                OutboundMessage.channel == channel,
                OutboundMessage.recipient == recipient,
                OutboundMessage.delivered_at.is_(None),
                OutboundMessage.given_up_at.is_(None),
            )
            .order_by(OutboundMessage.id)
            .limit(BATCH)
        )
        bodies = []
        with self._sessions() as session, session.begin():
            for row in session.execute(waiting).scalars().all():
                taken = session.execute(
                    update(OutboundMessage)
                    .where(OutboundMessage.id == row.id, OutboundMessage.delivered_at.is_(None))
                    .values(delivered_at=now)
                )
                if taken.rowcount == 1:
                    bodies.append(dict(row.body))
        return bodies

    def counts(self) -> Dict[str, int]:
        """How many messages are ``pending``, ``delivered`` and ``given_up`` (for the dashboard)."""
        query = select(func.count(), func.count(OutboundMessage.delivered_at), func.count(OutboundMessage.given_up_at))
        with self._sessions() as session:
            total, delivered, given_up = session.execute(query).one()
        return {"pending": total - delivered - given_up, "delivered": delivered, "given_up": given_up}


class Courier:
    """Sends one turn's messages on one channel and never raises: what fails goes to the outbox.

    Once a message is queued, the turn's later messages are queued behind it untried: they keep
    their order, and the turn (which holds the conversation's lock) does not wait on a messenger
    that is down. A turn whose citizen still has replies waiting in the outbox queues behind them
    too, so an old answer never arrives after a newer one. A failure in ``permanent`` (e.g. the citizen
    blocked the bot) is recorded as given up at once, and the next message is still tried.
    """

    def __init__(self, channel: str, send: Send, outbox: OutboxStore, permanent: Errors = ()) -> None:
        self._channel = channel
        self._send = send
        self._outbox = outbox
        self._permanent = permanent
        self._queued: Optional[bool] = None  # unknown until the turn's first message

    async def deliver(self, recipient: str, body: Dict[str, Any]) -> None:
        if self._queued is None:
            self._queued = self._waiting(recipient)
        if self._queued:
            self._keep(recipient, body, None)
            return
        try:
            await self._send(recipient, body)
        except Exception as exc:  # raising would abort Rasa's turn before the tracker is saved
            self._queued = not isinstance(exc, self._permanent)
            self._keep(recipient, body, exc)

    def _waiting(self, recipient: str) -> bool:
        try:
            return self._outbox.has_pending(self._channel, recipient)
        except Exception as exc:  # the database is down: send directly rather than not at all
            logger.error(
                "outbox.unreadable channel=%s recipient=%s error=%s", self._channel, recipient, type(exc).__name__
            )
            return False

    def _keep(self, recipient: str, body: Dict[str, Any], exc: Optional[Exception]) -> None:
        permanent = isinstance(exc, self._permanent)
        reason = type(exc).__name__ if exc is not None else "queued_behind"
        try:
            row = self._outbox.add(
                self._channel, recipient, body, describe(exc) if exc is not None else None, given_up=permanent
            )
        except Exception as store_exc:  # the database is down too: the turn must still go on
            logger.error(
                "outbox.lost channel=%s recipient=%s reason=%s error=%s",
                self._channel,
                recipient,
                reason,
                type(store_exc).__name__,
            )
            return
        if not permanent:
            logger.warning(
                "outbox.queued channel=%s recipient=%s id=%s reason=%s", self._channel, recipient, row.id, reason
            )


class OutboxRetrier:
    """Resends one channel's due outbox messages, in a task on the Rasa server's event loop."""

    def __init__(self, channel: str, outbox: OutboxStore, send: Send, permanent: Errors = ()) -> None:
        self.channel = channel
        self.outbox = outbox
        self._send = send
        self._permanent = permanent
        self._task: Optional[asyncio.Task] = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"outbox-{self.channel}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def run_beside(self, server: Blueprint, enabled: bool) -> None:
        """Resend in the background while the server that serves ``server`` runs (when ``enabled``)."""

        @server.listener("after_server_start")
        async def start_outbox(*_: Any) -> None:
            if enabled:
                self.start()

        @server.listener("before_server_stop")
        async def stop_outbox(*_: Any) -> None:
            await self.stop()

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception as exc:  # e.g. the database is down: try again next round
                logger.error("outbox.round_failed channel=%s error=%s", self.channel, type(exc).__name__)
            await asyncio.sleep(self.outbox.policy.poll_seconds)

    async def run_once(self) -> int:
        """Resend what is due, oldest first, until the messenger fails; returns how many were delivered."""
        delivered = 0
        for message in self.outbox.due(self.channel):
            if not self.outbox.claim(message):
                continue
            try:
                await self._send(message.recipient, message.body)
            except Exception as exc:
                permanent = isinstance(exc, self._permanent)
                given_up = self.outbox.failed(message, describe(exc), permanent)
                if permanent:
                    continue
                if not given_up:
                    logger.info(
                        "outbox.retry_failed channel=%s id=%s attempts=%d error=%s",
                        self.channel,
                        message.id,
                        message.attempts,
                        type(exc).__name__,
                    )
                break  # the messenger is unreachable: the rest waits for the next round
            self.outbox.delivered(message)
            delivered += 1
            logger.info("outbox.delivered channel=%s id=%s attempts=%d", self.channel, message.id, message.attempts)
        return delivered
