"""Invitations to evaluate a service once the citizen's dossier is completed (opt-in, one per dossier)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from actions.stores.applications import StatusProvider
from actions.stores.tables import CompletionInvitation
from core.db import utcnow

logger = logging.getLogger(__name__)

# Only these channels can send a message the citizen did not just ask for.
INVITING_CHANNELS = ("telegram", "zalo")


@dataclass(frozen=True)
class DueInvitation:
    """An opted-in citizen whose dossier is now completed."""

    id: int
    conversation_id: str
    channel: str
    application_code: str
    procedure_id: Optional[str]


class CompletionInvitationStore:
    """Reads and writes ``completion_invitations``."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def opt_in(self, conversation_id: str, channel: str, application_code: str) -> bool:
        """Record the opt-in; False when the channel cannot send unprompted. Asking twice changes nothing."""
        if channel not in INVITING_CHANNELS:
            return False
        code = application_code.upper()
        try:
            with self._sessions() as session, session.begin():
                query = select(CompletionInvitation).where(
                    CompletionInvitation.conversation_id == conversation_id,
                    CompletionInvitation.application_code == code,
                )
                if session.execute(query).scalar_one_or_none() is None:
                    session.add(
                        CompletionInvitation(conversation_id=conversation_id, channel=channel, application_code=code)
                    )
        except IntegrityError:  # the same press stored a moment ago by another replica
            pass
        logger.info("invitation.opt_in conversation=%s channel=%s", conversation_id, channel)
        return True

    def due(self, applications: StatusProvider) -> List[DueInvitation]:
        """Opt-ins not yet invited whose dossier the status provider reports completed."""
        with self._sessions() as session:
            rows = list(
                session.execute(
                    select(CompletionInvitation)
                    .where(CompletionInvitation.invited_at.is_(None))
                    .order_by(CompletionInvitation.id)
                ).scalars()
            )
        due = []
        for row in rows:
            status = applications.status(row.application_code)
            if status is not None and status.completed:
                due.append(
                    DueInvitation(row.id, row.conversation_id, row.channel, row.application_code, status.procedure_id)
                )
        return due

    def mark_invited(self, invitation_id: int) -> None:
        with self._sessions() as session, session.begin():
            row = session.get(CompletionInvitation, invitation_id)
            if row is not None:
                row.invited_at = utcnow()

    def for_conversation(self, conversation_id: str) -> List[CompletionInvitation]:
        with self._sessions() as session:
            query = select(CompletionInvitation).where(CompletionInvitation.conversation_id == conversation_id)
            return list(session.execute(query.order_by(CompletionInvitation.id)).scalars())
