"""Citizens' evaluations of online public services themselves (not of the assistant's answers).

One survey per conversation (the Rasa session), about the procedure the conversation was about:
an overall score and four criteria, 1-5 each and each optional. Every answer is written as it
comes, so a survey left halfway still counts.
"""

from __future__ import annotations

import logging
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from actions.stores.tables import ServiceSurvey
from core.contract import SURVEY_CRITERIA
from core.db import utcnow

logger = logging.getLogger(__name__)

MIN_SCORE, MAX_SCORE = 1, 5


class ScoreOutOfRange(ValueError):
    """A score outside 1-5 or for an unknown criterion; it is never stored."""


class ServiceSurveyStore:
    """Reads and writes ``service_surveys``."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def find(self, conversation_id: str, session_key: str) -> Optional[ServiceSurvey]:
        """The survey of this conversation, if one was started."""
        with self._sessions() as session:
            return self._row(session, conversation_id, session_key)

    def start(
        self, conversation_id: str, session_key: str, channel: str, procedure_id: Optional[str], trigger: str
    ) -> Optional[int]:
        """Open this conversation's survey; None when it already has one (one per conversation)."""
        try:
            with self._sessions() as session, session.begin():
                if self._row(session, conversation_id, session_key) is not None:
                    return None
                row = ServiceSurvey(
                    conversation_id=conversation_id,
                    session_key=session_key,
                    channel=channel,
                    procedure_id=procedure_id,
                    trigger=trigger,
                )
                session.add(row)
                session.flush()
                survey_id = row.id
        except IntegrityError:  # another replica opened it a moment ago
            return None
        logger.info(
            "survey.started id=%s conversation=%s procedure=%s trigger=%s",
            survey_id,
            conversation_id,
            procedure_id,
            trigger,
        )
        return survey_id

    def answer(self, conversation_id: str, session_key: str, criterion: str, score: int) -> bool:
        """Store one score; False when the conversation has no open survey."""
        if criterion not in SURVEY_CRITERIA or not isinstance(score, int) or not MIN_SCORE <= score <= MAX_SCORE:
            raise ScoreOutOfRange(f"{criterion}={score!r}")
        with self._sessions() as session, session.begin():
            row = self._row(session, conversation_id, session_key)
            if row is None:
                return False
            setattr(row, criterion, score)
            row.updated_at = utcnow()
        logger.info("survey.answer conversation=%s criterion=%s score=%s", conversation_id, criterion, score)
        return True

    def for_conversation(self, conversation_id: str) -> List[ServiceSurvey]:
        """Every survey of one conversation id (one per session), oldest first."""
        with self._sessions() as session:
            query = (
                select(ServiceSurvey).where(ServiceSurvey.conversation_id == conversation_id).order_by(ServiceSurvey.id)
            )
            return list(session.execute(query).scalars())

    @staticmethod
    def _row(session, conversation_id: str, session_key: str) -> Optional[ServiceSurvey]:
        query = select(ServiceSurvey).where(
            ServiceSurvey.conversation_id == conversation_id, ServiceSurvey.session_key == session_key
        )
        return session.execute(query).scalar_one_or_none()
