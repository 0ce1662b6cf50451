"""Reading and writing procedure records in the database."""

from __future__ import annotations

from datetime import date
from typing import Any, Dict, Iterable, List, Optional

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from knowledge_base.tables import CURATED_ORIGIN, Procedure


class ProcedureRepository:
    """Procedure records as plain dicts, stored through SQLAlchemy."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def upsert(self, records: Iterable[Dict[str, Any]], origin: str = CURATED_ORIGIN) -> int:
        """Insert or replace records by id; idempotent. Returns how many were written."""
        count = 0
        with self._sessions() as session, session.begin():
            for record in records:
                row = session.get(Procedure, record["id"]) or Procedure(id=record["id"])
                row.code = record.get("code")
                row.name = record["name"]
                row.field = record.get("field")
                row.level = record.get("level")
                row.source_url = record["source_url"]
                row.loaded_on = date.today()
                row.origin = origin
                row.data = record
                session.add(row)
                count += 1
        return count

    def all_records(self) -> List[Dict[str, Any]]:
        """Every record with its ``origin``, ordered by id."""
        with self._sessions() as session:
            rows = session.execute(select(Procedure).order_by(Procedure.id)).scalars()
            return [dict(row.data, origin=row.origin) for row in rows]

    def get(self, procedure_id: str) -> Optional[Dict[str, Any]]:
        """One record by id, with ``origin`` (curated or national), or None."""
        with self._sessions() as session:
            row = session.get(Procedure, procedure_id)
            return dict(row.data, origin=row.origin) if row else None
