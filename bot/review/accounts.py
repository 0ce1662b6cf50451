"""Dashboard accounts: argon2 password hashes, roles, lock-out after repeated failures, audit log."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import List, Optional

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from knowledge_base.models import AuditEntry, ReviewUser

logger = logging.getLogger(__name__)

ROLES = ("viewer", "admin")
MAX_FAILED_LOGINS = 5
LOCK_OUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()


class AccountError(ValueError):
    """A refused account operation; the message is safe to show."""


class LockedOut(AccountError):
    """Too many failed logins; try again later."""


@dataclass(frozen=True)
class Account:
    username: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class AccountStore:
    """Users, log-ins and the audit trail in the database."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

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
        """The first admin comes from REVIEW_ADMIN_USER/REVIEW_ADMIN_PASSWORD when no user exists."""
        if username and password and self.count() == 0:
            self.create(username, password, "admin")

    def authenticate(self, username: str, password: str, now: Optional[datetime] = None) -> Account:
        """The account for a correct password; counts failures and locks the account out."""
        now = now or datetime.now(timezone.utc)
        with self._sessions() as session, session.begin():
            user = session.execute(select(ReviewUser).where(ReviewUser.username == username)).scalar_one_or_none()
            if user is None:
                _hasher.hash(password)  # same work as a real check, so timing does not reveal names
                raise AccountError("Sai tên đăng nhập hoặc mật khẩu.")
            locked_until = user.locked_until
            if locked_until is not None and locked_until.tzinfo is None:
                locked_until = locked_until.replace(tzinfo=timezone.utc)
            if locked_until and locked_until > now:
                raise LockedOut("Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau 15 phút.")
            try:
                _hasher.verify(user.password_hash, password)
            except VerificationError:
                # counted in this transaction, which must commit: raise only after it
                user.failed_logins += 1
                if user.failed_logins >= MAX_FAILED_LOGINS:
                    user.locked_until = now + LOCK_OUT
                    user.failed_logins = 0
                    logger.warning("review.user.locked username=%s", username)
                account = None
            else:
                user.failed_logins = 0
                user.locked_until = None
                if _hasher.check_needs_rehash(user.password_hash):
                    user.password_hash = _hasher.hash(password)
                account = Account(user.username, user.role)
        if account is None:
            raise AccountError("Sai tên đăng nhập hoặc mật khẩu.")
        return account

    def get(self, username: str) -> Optional[Account]:
        with self._sessions() as session:
            user = session.execute(select(ReviewUser).where(ReviewUser.username == username)).scalar_one_or_none()
            return Account(user.username, user.role) if user else None

    def all(self) -> List[Account]:
        with self._sessions() as session:
            return [Account(u.username, u.role) for u in
                    session.execute(select(ReviewUser).order_by(ReviewUser.username)).scalars()]

    def audit(self, username: str, action: str, target: str) -> None:
        """Record that ``username`` viewed or exported ``target``."""
        with self._sessions() as session, session.begin():
            session.add(AuditEntry(username=username, action=action, target=target[:500]))

    def audit_log(self, limit: int = 200) -> List[AuditEntry]:
        with self._sessions() as session:
            return list(session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).scalars())
