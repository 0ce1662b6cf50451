"""Dashboard accounts: argon2 password hashes, roles, server-side sessions, log-in throttling, audit log."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Deque, List, Optional

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import sessionmaker

from web.dashboard.security import SESSION_SECONDS, Session, new_session_id, session_digest
from web.tables import AuditEntry, ReviewSession, ReviewUser

logger = logging.getLogger(__name__)

# viewer: reads; editor: also records content reviews; officer: also takes citizens' requests for a
# person and talks to them; admin: all of that, and manages accounts.
ROLES = ("viewer", "editor", "officer", "admin")
REVIEWER_ROLES = ("editor", "admin")
# Who may take a citizen's request for a person and talk to them (web/dashboard/handoff.py).
OFFICER_ROLES = ("officer", "admin")
MIN_PASSWORD_LENGTH = 10
FAILURE_WINDOW_SECONDS = 15 * 60
# One client (address) gets a few tries; one user name, whoever tries it, many more. The per-name
# limit slows a password guesser spread over many addresses; it is high so that nobody can lock
# the administrator out from one address, and it applies to unknown names just the same.
FAILURES_PER_SOURCE = 5
FAILURES_PER_NAME = 50
WRONG_LOGIN = "Sai tên đăng nhập hoặc mật khẩu."
THROTTLED = "Bạn đã thử đăng nhập sai nhiều lần. Vui lòng thử lại sau ít phút."

_hasher = PasswordHasher()


class AccountError(ValueError):
    """A refused account operation; the message is safe to show."""


class Throttled(AccountError):
    """Too many failed log-ins from this source or for this name; try again in ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(THROTTLED)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Account:
    username: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class FailureCounter:
    """Recent failed log-ins per key (a client address or a user name), in this process's memory.

    Memory rather than the database: counting in the database would add a write per guess during
    an attack (and fail just when the database is busy), and these counts only need to hold for
    the 15-minute window. The price: a restart forgets them, and with several web-server replicas
    each counts on its own, so the limits apply per replica. At most ``max_keys`` keys are kept
    (oldest dropped), so a flood of addresses or names cannot exhaust memory. Log-ins run in
    worker threads (web/dashboard/views.py), so every access holds a lock.
    """

    def __init__(self, limit: int, window: float = FAILURE_WINDOW_SECONDS, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._failures: OrderedDict[str, Deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again; 0 when it may now."""
        with self._lock:
            return self._retry_after(key, now)

    def _retry_after(self, key: str, now: float) -> float:
        times = self._failures.get(key)
        if not times:
            return 0.0
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) < self.limit:
            return 0.0
        return times[0] + self.window - now

    def add(self, key: str, now: float) -> None:
        with self._lock:
            times = self._failures.setdefault(key, deque(maxlen=self.limit))
            times.append(now)
            self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


class AccountStore:
    """Users, log-ins, sessions and the audit trail in the database."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions
        self._by_source = FailureCounter(FAILURES_PER_SOURCE)
        self._by_name = FailureCounter(FAILURES_PER_NAME)

    def count(self) -> int:
        with self._sessions() as session:
            return session.execute(select(func.count(ReviewUser.id))).scalar_one()

    def create(self, username: str, password: str, role: str) -> Account:
        """Create a user; refuses unknown roles, short passwords and existing names."""
        username = username.strip()
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        if not username or len(username) > 64:
            raise AccountError("username must be 1-64 characters")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
        with self._sessions() as session, session.begin():
            if session.execute(select(ReviewUser).where(ReviewUser.username == username)).first():
                raise AccountError(f"user {username!r} already exists")
            session.add(ReviewUser(username=username, password_hash=_hasher.hash(password), role=role))
        logger.info("review.user.created username=%s role=%s", username, role)
        return Account(username, role)

    def ensure_admin(self, username: Optional[str], password: Optional[str]) -> None:
        """The first admin comes from REVIEW_ADMIN_USER/REVIEW_ADMIN_PASSWORD when no user exists.

        Once accounts exist the variables change nothing (say, a new password there), which is
        logged so that the operator does not believe otherwise.
        """
        if not username:
            return
        existing = self.count()
        if existing:
            logger.warning("review.admin.ignored username=%s reason=accounts_exist accounts=%d", username, existing)
        elif not password:
            logger.warning("review.admin.ignored username=%s reason=password_missing", username)
        else:
            self.create(username, password, "admin")

    def authenticate(self, username: str, password: str, source: str, now: Optional[float] = None) -> Account:
        """The account for a correct password, unless ``source`` or ``username`` made too many failed tries.

        ``now`` is a time.monotonic() reading. Unknown and known names get the same answers, and
        failures never lock the account itself for other sources (below FAILURES_PER_NAME).
        """
        now = time.monotonic() if now is None else now
        name_key = username[:64]
        wait = max(self._by_source.retry_after(source, now), self._by_name.retry_after(name_key, now))
        if wait:
            logger.warning("review.login.throttled source=%s username=%s retry_after=%d", source, username, wait)
            raise Throttled(math.ceil(wait))
        account = self._check_password(username, password)
        if account is None:
            self._by_source.add(source, now)
            self._by_name.add(name_key, now)
            raise AccountError(WRONG_LOGIN)
        self._by_name.clear(name_key)
        return account

    def _check_password(self, username: str, password: str) -> Optional[Account]:
        with self._sessions() as session, session.begin():
            user = session.execute(select(ReviewUser).where(ReviewUser.username == username)).scalar_one_or_none()
            if user is None:
                _hasher.hash(password)  # same work as a real check, so timing does not reveal names
                return None
            try:
                _hasher.verify(user.password_hash, password)
            except VerificationError:
                return None
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            return Account(user.username, user.role)

    def open_session(self, username: str, now: Optional[datetime] = None) -> str:
        """A new session id for ``username`` (expired sessions are deleted on the way)."""
        now = now or datetime.now(timezone.utc)
        session_id = new_session_id()
        with self._sessions() as session, session.begin():
            session.execute(delete(ReviewSession).where(ReviewSession.expires_at < now))
            session.add(
                ReviewSession(
                    token_hash=session_digest(session_id),
                    username=username,
                    created_at=now,
                    expires_at=now + timedelta(seconds=SESSION_SECONDS),
                )
            )
        return session_id

    def session(self, session_id: str, now: Optional[datetime] = None) -> Optional[Session]:
        """The session if it exists, is neither revoked nor expired, and its user still exists."""
        now = now or datetime.now(timezone.utc)
        query = (
            select(ReviewSession.username, ReviewUser.role)
            .join(ReviewUser, ReviewUser.username == ReviewSession.username)
            .where(
                ReviewSession.token_hash == session_digest(session_id),
                ReviewSession.revoked_at.is_(None),
                ReviewSession.expires_at > now,
            )
        )
        with self._sessions() as session:
            row = session.execute(query).first()
        return Session(session_id, row.username, row.role) if row else None

    def revoke_session(self, session_id: str, now: Optional[datetime] = None) -> None:
        """Log-out: the session id stops working at once, wherever the cookie was copied to."""
        with self._sessions() as session, session.begin():
            session.execute(
                update(ReviewSession)
                .where(ReviewSession.token_hash == session_digest(session_id), ReviewSession.revoked_at.is_(None))
                .values(revoked_at=now or datetime.now(timezone.utc))
            )

    def get(self, username: str) -> Optional[Account]:
        with self._sessions() as session:
            user = session.execute(select(ReviewUser).where(ReviewUser.username == username)).scalar_one_or_none()
            return Account(user.username, user.role) if user else None

    def all(self) -> List[Account]:
        with self._sessions() as session:
            return [
                Account(u.username, u.role)
                for u in session.execute(select(ReviewUser).order_by(ReviewUser.username)).scalars()
            ]

    def audit(self, username: str, action: str, target: str) -> None:
        """Record that ``username`` viewed or exported ``target``."""
        with self._sessions() as session, session.begin():
            session.add(AuditEntry(username=username, action=action, target=target[:500]))

    def audit_log(self, limit: int = 200) -> List[AuditEntry]:
        with self._sessions() as session:
            return list(session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).scalars())
