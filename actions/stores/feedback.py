"""What citizens say about the assistant's answers: 👍/👎 per answered turn, the reason and comment after a 👎.

Each row belongs to one turn (the id of the citizen's message the answer replied to), so a 👍/👎
can be changed but never counted twice, and a hand-typed payload sent in a loop cannot stuff the
figures. Comments are masked and bounded here (knowledge_base/stored_text.py), whoever calls.
"""

from __future__ import annotations

import logging
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from actions.stores.tables import AnswerFeedback
from core.contract import FEEDBACK_REASONS
from core.db import utcnow
from knowledge_base.stored_text import storable_text

logger = logging.getLogger(__name__)

MAX_COMMENT_CHARS = 2000
MAX_TURN_ID_CHARS = 64


class UnknownReason(ValueError):
    """A 👎 reason that is not one of core.contract.FeedbackReason; never stored."""


class AnswerFeedbackStore:
    """Reads and writes ``answer_feedback``: at most one row per (conversation, turn)."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def rate(
        self,
        conversation_id: str,
        turn_id: str,
        channel: str,
        helpful: bool,
        procedure_id: Optional[str] = None,
        intent: Optional[str] = None,
    ) -> int:
        """Store the 👍/👎 on one turn (changing an earlier one) and return the row id.

        Changing 👎 to 👍 clears the reason and comment, which explained the 👎.
        """
        turn_id = str(turn_id)[:MAX_TURN_ID_CHARS]
        for attempt in range(2):  # two replicas storing the same turn at once: the loser updates
            try:
                with self._sessions() as session, session.begin():
                    row = self._row(session, conversation_id, turn_id)
                    replaced = row is not None
                    if row is None:
                        row = AnswerFeedback(conversation_id=conversation_id, turn_id=turn_id)
                        session.add(row)
                    elif helpful and not row.helpful:
                        row.reason, row.comment = None, None
                    row.channel, row.helpful, row.updated_at = channel, helpful, utcnow()
                    if procedure_id is not None or not replaced:
                        row.procedure_id, row.intent = procedure_id, intent
                    session.flush()
                    feedback_id = row.id
                break
            except IntegrityError:
                if attempt:
                    raise
        logger.info(
            "feedback.stored id=%s conversation=%s turn=%s channel=%s procedure=%s helpful=%s replaced=%s",
            feedback_id,
            conversation_id,
            turn_id,
            channel,
            procedure_id,
            helpful,
            replaced,
        )
        return feedback_id

    def explain(self, conversation_id: str, turn_id: str, reason: str) -> bool:
        """Attach the reason of a 👎; False when that turn has no 👎 to explain."""
        if reason not in FEEDBACK_REASONS:
            raise UnknownReason(reason)
        with self._sessions() as session, session.begin():
            row = self._row(session, conversation_id, str(turn_id)[:MAX_TURN_ID_CHARS])
            if row is None or row.helpful:
                return False
            row.reason, row.updated_at = reason, utcnow()
        logger.info("feedback.reason conversation=%s turn=%s reason=%s", conversation_id, turn_id, reason)
        return True

    def give_reason(
        self,
        conversation_id: str,
        turn_id: str,
        channel: str,
        reason: str,
        procedure_id: Optional[str] = None,
        intent: Optional[str] = None,
    ) -> None:
        """A reason button implies a 👎: attach the reason, storing (or switching to) the 👎 first if needed."""
        if not self.explain(conversation_id, turn_id, reason):
            self.rate(conversation_id, turn_id, channel, False, procedure_id, intent)
            self.explain(conversation_id, turn_id, reason)

    def comment(self, conversation_id: str, turn_id: str, text: str) -> bool:
        """Attach the citizen's comment (masked, bounded) to a 👎; False when there is none to attach to."""
        with self._sessions() as session, session.begin():
            row = self._row(session, conversation_id, str(turn_id)[:MAX_TURN_ID_CHARS])
            if row is None or row.helpful:
                return False
            row.comment, row.updated_at = storable_text(text, MAX_COMMENT_CHARS), utcnow()
        logger.info("feedback.comment conversation=%s turn=%s", conversation_id, turn_id)
        return True

    def for_conversation(self, conversation_id: str) -> List[AnswerFeedback]:
        """All feedback of one conversation, oldest first."""
        with self._sessions() as session:
            query = (
                select(AnswerFeedback)
                .where(AnswerFeedback.conversation_id == conversation_id)
                .order_by(AnswerFeedback.id)
            )
            return list(session.execute(query).scalars())

    @staticmethod
    def _row(session, conversation_id: str, turn_id: str) -> Optional[AnswerFeedback]:
        query = select(AnswerFeedback).where(
            AnswerFeedback.conversation_id == conversation_id, AnswerFeedback.turn_id == turn_id
        )
        return session.execute(query).scalar_one_or_none()
