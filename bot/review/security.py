"""Signed session cookies and CSRF tokens for the dashboard (HMAC-SHA256, no server state)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Optional

logger = logging.getLogger(__name__)

COOKIE_NAME = "review_session"
SESSION_SECONDS = 8 * 3600


@dataclass(frozen=True)
class Session:
    username: str
    role: str
    nonce: str
    expires: float


class SessionSigner:
    """Creates and checks ``payload.signature`` cookies; CSRF tokens are bound to the session."""

    def __init__(self, secret: Optional[str]) -> None:
        if not secret:
            logger.warning("review.secret.missing: REVIEW_SECRET_KEY unset, sessions end when the server restarts")
            secret = secrets.token_hex(32)
        self._key = secret.encode()

    def _sign(self, data: bytes) -> str:
        return hmac.new(self._key, data, hashlib.sha256).hexdigest()

    def issue(self, username: str, role: str, now: Optional[float] = None) -> str:
        payload = json.dumps({"u": username, "r": role, "n": secrets.token_hex(16),
                              "e": (now or time.time()) + SESSION_SECONDS}).encode()
        encoded = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return f"{encoded}.{self._sign(encoded.encode())}"

    def read(self, cookie: Optional[str], now: Optional[float] = None) -> Optional[Session]:
        if not cookie or "." not in cookie:
            return None
        encoded, signature = cookie.rsplit(".", 1)
        if not hmac.compare_digest(signature, self._sign(encoded.encode())):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        except ValueError:
            return None
        if data.get("e", 0) < (now or time.time()):
            return None
        return Session(data["u"], data["r"], data["n"], data["e"])

    def csrf_token(self, session: Session) -> str:
        return self._sign(f"csrf:{session.nonce}".encode())

    def csrf_ok(self, session: Session, token: Optional[str]) -> bool:
        return bool(token) and hmac.compare_digest(token, self.csrf_token(session))
