"""Application status look-up behind a small interface an agency can replace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional, Protocol

from sqlalchemy.orm import sessionmaker

from actions.stores.tables import Application
from core.db import utcnow
from knowledge_base.privacy import APPLICATION_CODE
from knowledge_base.text import fold


@dataclass(frozen=True)
class ApplicationStatus:
    """What the citizen is told about a submitted application."""

    code: str
    status: str
    procedure_id: Optional[str]
    note: Optional[str]
    updated_at: datetime

    @property
    def completed(self) -> bool:
        """Whether the dossier is done ("Đã trả kết quả", "Hoàn thành", ...): see :func:`is_completed`."""
        return is_completed(self.status)


# How agencies' systems word a finished dossier, diacritics folded (the start of the status).
COMPLETED_STATUSES = ("da tra ket qua", "da co ket qua", "hoan thanh", "da hoan thanh", "da giai quyet xong")


def is_completed(status: str) -> bool:
    """Whether a status text says the dossier is finished; "Đang giải quyết" and "Chờ bổ sung" are not."""
    return fold(status or "").startswith(COMPLETED_STATUSES)


class StatusProvider(Protocol):
    """Anything that can tell the status of an application by its code."""

    def status(self, code: str) -> Optional[ApplicationStatus]:
        """The status, or None for an unknown code."""


def find_application_code(text: str) -> Optional[str]:
    """The first application code in ``text``, upper-cased."""
    match = APPLICATION_CODE.search(text or "")
    return match.group().upper() if match else None


class DatabaseStatusProvider:
    """Default provider: the `applications` table, which an agency syncs into."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def status(self, code: str) -> Optional[ApplicationStatus]:
        with self._sessions() as session:
            row = session.get(Application, code.upper())
            if row is None:
                return None
            return ApplicationStatus(row.code, row.status, row.procedure_id, row.note, row.updated_at)

    def upsert(self, code: str, status: str, procedure_id: Optional[str] = None, note: Optional[str] = None) -> None:
        """Record or update an application (used by agency sync jobs and tests)."""
        with self._sessions() as session, session.begin():
            row = session.get(Application, code.upper()) or Application(code=code.upper())
            row.status, row.procedure_id, row.note = status, procedure_id, note
            row.updated_at = utcnow()
            session.add(row)
