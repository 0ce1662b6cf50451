"""Short keys for button payloads that do not fit a messenger's callback field."""

from __future__ import annotations

import hashlib
from typing import Optional

from sqlalchemy.orm import sessionmaker

from bot.channels.tables import CallbackPayload
from core.db import session_factory

KEY_PREFIX = "k:"


class CallbackStore:
    """Maps long payloads to stable short keys, in the database so old buttons survive restarts."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    @classmethod
    def from_settings(cls) -> "CallbackStore":
        return cls(session_factory())

    def key_for(self, payload: str) -> str:
        """A 42-byte key for ``payload``; the same payload always gets the same key."""
        key = KEY_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:40]
        with self._sessions() as session, session.begin():
            if session.get(CallbackPayload, key) is None:
                session.add(CallbackPayload(key=key, payload=payload))
        return key

    def payload_for(self, data: str) -> Optional[str]:
        """The payload behind callback ``data`` (itself unless it is a key); None if unknown."""
        if not data.startswith(KEY_PREFIX):
            return data or None
        with self._sessions() as session:
            row = session.get(CallbackPayload, data)
            return row.payload if row else None
