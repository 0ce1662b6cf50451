"""The services actions call, built once per action-server process from settings."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from actions.stores.applications import DatabaseStatusProvider, StatusProvider
from actions.stores.callbacks import CallbackStore
from actions.stores.feedback import AnswerFeedbackStore
from actions.stores.handoff import HandoffQueue
from actions.stores.invitations import CompletionInvitationStore
from actions.stores.surveys import ServiceSurveyStore
from core.db import session_factory
from core.field_cipher import FieldCipher
from core.office_hours import OfficeHours
from core.settings import Settings, get_settings
from knowledge_base.guide import GuideIndex, load_guide
from knowledge_base.repository import ProcedureRepository
from knowledge_base.reviews import ReviewStore
from knowledge_base.search import ProcedureIndex
from knowledge_base.tables import Procedure

logger = logging.getLogger(__name__)

INDEX_CHECK_SECONDS = 30.0


@dataclass
class Services:
    """Knowledge base (records and their reviews, the guide), answer feedback, service surveys,
    application status, the hand-off queue with its callbacks and office hours, for one database."""

    settings: Settings
    sessions: sessionmaker
    procedures: ProcedureRepository
    reviews: ReviewStore
    feedback: AnswerFeedbackStore
    surveys: ServiceSurveyStore
    applications: StatusProvider
    handoffs: HandoffQueue
    callbacks: CallbackStore
    office_hours: OfficeHours
    invitations: CompletionInvitationStore
    guide: GuideIndex
    _index: Optional[ProcedureIndex] = None
    _index_version: tuple = ()
    _checked_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_settings(cls, settings: Settings) -> "Services":
        sessions = session_factory(settings.database_url)
        return cls(
            settings=settings,
            sessions=sessions,
            procedures=ProcedureRepository(sessions),
            reviews=ReviewStore(sessions),
            feedback=AnswerFeedbackStore(sessions),
            surveys=ServiceSurveyStore(sessions),
            applications=DatabaseStatusProvider(sessions),
            handoffs=HandoffQueue(sessions),
            callbacks=CallbackStore(sessions, FieldCipher.from_settings(settings)),
            office_hours=OfficeHours.from_settings(settings),
            invitations=CompletionInvitationStore(sessions),
            guide=GuideIndex(load_guide()),
        )

    def index(self) -> ProcedureIndex:
        """The search index, rebuilt when procedures were loaded or imported since."""
        now = time.monotonic()
        if self._index is not None and now - self._checked_at < INDEX_CHECK_SECONDS:
            return self._index
        with self._lock:
            version = self._database_version()
            if self._index is None or version != self._index_version:
                self._index = ProcedureIndex(self.procedures.all_records())
                self._index_version = version
                logger.info("knowledge_base.index.built procedures=%d", len(self._index))
            self._checked_at = now
        return self._index

    def _database_version(self) -> tuple:
        with self.sessions() as session:
            return tuple(session.execute(select(func.count(Procedure.id), func.max(Procedure.updated_at))).one())


@lru_cache(maxsize=1)
def get_services() -> Services:
    """Process-wide services for the configured database."""
    return Services.from_settings(get_settings())
