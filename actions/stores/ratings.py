"""Satisfaction ratings, written at once so none is lost if a server restarts.

The store itself keeps the report honest, whoever calls it: a conversation has one 1-5 service
score and one 👍/👎 per answer (procedure and question asked); a rating given again replaces the
earlier one instead of adding a row, so a hand-typed payload sent in a loop cannot stuff the
satisfaction figures. Comments are masked and cleaned here (knowledge_base/stored_text.py).
"""

from __future__ import annotations

import logging
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from sqlalchemy.sql import Select

from actions.stores.tables import Rating
from knowledge_base.stored_text import storable_text

logger = logging.getLogger(__name__)

MIN_SCORE, MAX_SCORE = 1, 5
MAX_COMMENT_CHARS = 2000


class RatingOutOfRange(ValueError):
    """A score outside 1-5; it is never stored."""


class RatingStore:
    """Stores 1-5 scores and helpful/not-helpful flags in the `ratings` table."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def add_score(
        self,
        conversation_id: str,
        channel: str,
        score: int,
        procedure_id: Optional[str] = None,
        intent: Optional[str] = None,
    ) -> int:
        """Store the conversation's 1-5 score (replacing an earlier one) and return the row id."""
        if not isinstance(score, int) or not MIN_SCORE <= score <= MAX_SCORE:
            raise RatingOutOfRange(f"score must be {MIN_SCORE}-{MAX_SCORE}, got {score!r}")
        earlier = select(Rating).where(Rating.conversation_id == conversation_id, Rating.score.is_not(None))
        return self._put(
            earlier,
            Rating(
                conversation_id=conversation_id, channel=channel, score=score, procedure_id=procedure_id, intent=intent
            ),
        )

    def add_helpful(
        self,
        conversation_id: str,
        channel: str,
        helpful: bool,
        procedure_id: Optional[str] = None,
        intent: Optional[str] = None,
    ) -> int:
        """Store a 👍/👎 on the answer about ``procedure_id``/``intent`` (replacing an earlier one)."""
        earlier = select(Rating).where(
            Rating.conversation_id == conversation_id,
            Rating.helpful.is_not(None),
            Rating.procedure_id.is_(None) if procedure_id is None else Rating.procedure_id == procedure_id,
            Rating.intent.is_(None) if intent is None else Rating.intent == intent,
        )
        return self._put(
            earlier,
            Rating(
                conversation_id=conversation_id,
                channel=channel,
                helpful=helpful,
                procedure_id=procedure_id,
                intent=intent,
            ),
        )

    def set_comment(self, rating_id: int, comment: str) -> None:
        """Attach the optional free-text comment to a stored rating."""
        with self._sessions() as session, session.begin():
            row = session.get(Rating, rating_id)
            if row is None:
                raise KeyError(rating_id)
            row.comment = storable_text(comment, MAX_COMMENT_CHARS)

    def for_conversation(self, conversation_id: str) -> List[Rating]:
        """All ratings of one conversation, oldest first."""
        with self._sessions() as session:
            query = select(Rating).where(Rating.conversation_id == conversation_id).order_by(Rating.id)
            return list(session.execute(query).scalars())

    def _put(self, earlier: Select, rating: Rating) -> int:
        """Insert ``rating``, or update the row ``earlier`` selects, in one transaction."""
        with self._sessions() as session, session.begin():
            row = session.execute(earlier.order_by(Rating.id).limit(1)).scalar_one_or_none()
            replaced = row is not None
            if row is None:
                row = rating
                session.add(row)
            else:
                row.score, row.helpful, row.channel = rating.score, rating.helpful, rating.channel
                row.procedure_id, row.intent = rating.procedure_id, rating.intent
            session.flush()
            rating_id = row.id
        logger.info(
            "rating.stored id=%s conversation=%s channel=%s procedure=%s score=%s helpful=%s replaced=%s",
            rating_id,
            rating.conversation_id,
            rating.channel,
            rating.procedure_id,
            rating.score,
            rating.helpful,
            replaced,
        )
        return rating_id
