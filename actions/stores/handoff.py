"""Requests for a person and complaints, recorded for the office to follow up."""

from __future__ import annotations

import logging
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions.stores.tables import HandoffRequest

logger = logging.getLogger(__name__)


class HandoffLog:
    """Rows in `handoff_requests`; the message text itself stays in the (masked) tracker."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def record(self, conversation_id: str, channel: str, kind: str, procedure_id: Optional[str] = None) -> int:
        """Store one request and return its id."""
        with self._sessions() as session, session.begin():
            row = HandoffRequest(conversation_id=conversation_id, channel=channel, kind=kind, procedure_id=procedure_id)
            session.add(row)
            session.flush()
            row_id = row.id
        logger.info("handoff.recorded id=%s kind=%s conversation=%s channel=%s", row_id, kind, conversation_id, channel)
        return row_id

    def for_conversation(self, conversation_id: str) -> List[HandoffRequest]:
        """All requests of one conversation, oldest first."""
        with self._sessions() as session:
            query = select(HandoffRequest).where(HandoffRequest.conversation_id == conversation_id)
            return list(session.execute(query.order_by(HandoffRequest.id)).scalars())
