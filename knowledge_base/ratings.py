"""Satisfaction ratings, written at once so none is lost if a server restarts."""
from __future__ import annotations

import logging
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from knowledge_base.models import Rating

logger = logging.getLogger(__name__)

MIN_SCORE, MAX_SCORE = 1, 5


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
        """Store a 1-5 score and return the row id."""
        if not isinstance(score, int) or not MIN_SCORE <= score <= MAX_SCORE:
            raise RatingOutOfRange(f"score must be {MIN_SCORE}-{MAX_SCORE}, got {score!r}")
        return self._add(Rating(conversation_id=conversation_id, channel=channel, score=score,
                                procedure_id=procedure_id, intent=intent))

    def add_helpful(
        self,
        conversation_id: str,
        channel: str,
        helpful: bool,
        procedure_id: Optional[str] = None,
        intent: Optional[str] = None,
    ) -> int:
        """Store a 👍/👎 on the last answer and return the row id."""
        return self._add(Rating(conversation_id=conversation_id, channel=channel, helpful=helpful,
                                procedure_id=procedure_id, intent=intent))

    def set_comment(self, rating_id: int, comment: str) -> None:
        """Attach the optional free-text comment to a stored rating."""
        with self._sessions() as session, session.begin():
            row = session.get(Rating, rating_id)
            if row is None:
                raise KeyError(rating_id)
            row.comment = comment

    def for_conversation(self, conversation_id: str) -> List[Rating]:
        """All ratings of one conversation, oldest first."""
        with self._sessions() as session:
            query = select(Rating).where(Rating.conversation_id == conversation_id).order_by(Rating.id)
            return list(session.execute(query).scalars())

    def _add(self, rating: Rating) -> int:
        with self._sessions() as session, session.begin():
            session.add(rating)
            session.flush()
            rating_id = rating.id
        logger.info("rating.stored id=%s conversation=%s channel=%s procedure=%s score=%s helpful=%s",
                    rating_id, rating.conversation_id, rating.channel, rating.procedure_id,
                    rating.score, rating.helpful)
        return rating_id
