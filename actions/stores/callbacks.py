"""Callback numbers: encrypted at rest, opened only for the officer who owns the request.

The action server stores the number a citizen gave (with consent) here and nowhere else; the
tracker and the logs keep the masked form. The web server opens it for the request's owner (each
opening is audited there) and empties it when the request is closed; retention deletes the rows.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions.stores.tables import CallbackRequest
from core.field_cipher import FieldCipher

logger = logging.getLogger(__name__)


class CallbackStore:
    """Rows in ``callback_requests``, one per hand-off request."""

    def __init__(self, sessions: sessionmaker, cipher: FieldCipher) -> None:
        self._sessions = sessions
        self._cipher = cipher

    def save(self, handoff_id: int, phone: str, expected_by: datetime) -> None:
        """Keeps ``phone`` (digits, as the citizen's number) encrypted for request ``handoff_id``."""
        encrypted = self._cipher.encrypt(phone)
        with self._sessions() as session, session.begin():
            row = session.execute(
                select(CallbackRequest).where(CallbackRequest.handoff_id == handoff_id)
            ).scalar_one_or_none()
            if row is None:
                row = CallbackRequest(handoff_id=handoff_id, expected_by=expected_by)
                session.add(row)
            row.phone_encrypted = encrypted
            row.phone_hint = phone[-3:]
            row.expected_by = expected_by
            row.deleted_at = None
        logger.info("callback.saved handoff=%s", handoff_id)

    def number(self, handoff_id: int) -> Optional[str]:
        """The decrypted number of a request, or None when there is none (never given, or deleted)."""
        with self._sessions() as session:
            encrypted = session.execute(
                select(CallbackRequest.phone_encrypted).where(CallbackRequest.handoff_id == handoff_id)
            ).scalar_one_or_none()
        return self._cipher.decrypt(encrypted) if encrypted else None
