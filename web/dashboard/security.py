"""Signed cookie values and CSRF tokens for the dashboard (HMAC-SHA256).

The session cookie carries a random session id and its signature; the id is only good while
its row in ``review_sessions`` is live (AccountStore.session), so log-out and expiry hold on
the server. The log-in form has its own short-lived signed cookie and token (login CSRF).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Optional

logger = logging.getLogger(__name__)

COOKIE_NAME = "review_session"
LOGIN_COOKIE_NAME = "review_login"
COOKIE_PATH = "/review"
SESSION_SECONDS = 8 * 3600
LOGIN_FORM_SECONDS = 30 * 60


@dataclass(frozen=True)
class Session:
    """A live dashboard session, with the user's current role."""

    session_id: str
    username: str
    role: str


def new_session_id() -> str:
    return secrets.token_hex(32)


def session_digest(session_id: str) -> str:
    """What the database keeps of a session id."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that also takes non-ASCII input (hmac refuses such str)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


class SessionSigner:
    """Signs cookie values as ``value.signature``; CSRF tokens are bound to one session or log-in form."""

    def __init__(self, secret: Optional[str]) -> None:
        if not secret:
            logger.warning("review.secret.missing: REVIEW_SECRET_KEY unset, sessions end when the server restarts")
            secret = secrets.token_hex(32)
        self._key = secret.encode()

    def _sign(self, data: str) -> str:
        return hmac.new(self._key, data.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    def sign(self, value: str) -> str:
        return f"{value}.{self._sign(value)}"

    def unsign(self, signed: Optional[str]) -> Optional[str]:
        """The value if the signature is ours, else None."""
        if not signed or "." not in signed:
            return None
        value, signature = signed.rsplit(".", 1)
        return value if _same(signature, self._sign(value)) else None

    def csrf_token(self, session: Session) -> str:
        return self._sign(f"csrf:{session.session_id}")

    def csrf_ok(self, session: Session, token: Optional[str]) -> bool:
        return bool(token) and _same(token, self.csrf_token(session))

    def login_cookie(self, now: Optional[float] = None) -> str:
        """A fresh log-in form cookie: a random nonce and its expiry, signed."""
        expires = int((time.time() if now is None else now) + LOGIN_FORM_SECONDS)
        return self.sign(f"{secrets.token_hex(16)}:{expires}")

    def login_cookie_ok(self, cookie: Optional[str], now: Optional[float] = None) -> bool:
        value = self.unsign(cookie)
        if value is None:
            return False
        _, _, expires = value.partition(":")
        return expires.isdigit() and int(expires) > (time.time() if now is None else now)

    def login_csrf(self, cookie: str) -> str:
        """The log-in form's token: another site can neither read it nor set our signed cookie."""
        return self._sign(f"login-csrf:{cookie}")

    def login_csrf_ok(self, cookie: Optional[str], token: Optional[str], now: Optional[float] = None) -> bool:
        return self.login_cookie_ok(cookie, now) and bool(token) and _same(token, self.login_csrf(cookie))
