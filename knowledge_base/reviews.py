"""Content reviews: a person checked a procedure record against a named official source.

Only a recorded review gives a record a review date, and only that date is ever shown to
citizens. Reviews come from two places: the record's own ``reviews`` list (committed with the
content) and the dashboard, where an editor records one (table ``procedure_reviews``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from knowledge_base.tables import Procedure, ProcedureReview

MAX_SOURCE_CHARS = 500
MAX_NOTE_CHARS = 2000


class ReviewError(ValueError):
    """A review that cannot be recorded; the message is safe to show to the officer."""


@dataclass(frozen=True)
class Review:
    procedure_id: str
    reviewed_on: date
    reviewer: str
    checked_against: str
    note: Optional[str] = None


def committed_reviews(record: Dict[str, Any]) -> List[Review]:
    """The reviews written in the record itself."""
    return [
        Review(record["id"], date.fromisoformat(item["date"]), item["by"], item["against"])
        for item in record.get("reviews", [])
    ]


def _review_of(row: ProcedureReview) -> Review:
    return Review(row.procedure_id, row.reviewed_on, row.reviewer, row.checked_against, row.note)


class ReviewStore:
    """Reviews recorded in the dashboard, merged with those committed in the records."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def record(
        self, procedure_id: str, reviewer: str, checked_against: str, note: str = "", reviewed_on: Optional[date] = None
    ) -> Review:
        """Records that ``reviewer`` checked the record against ``checked_against`` (today by default)."""
        checked_against, note = checked_against.strip(), note.strip()
        reviewed_on = reviewed_on or date.today()
        if not checked_against:
            raise ReviewError("Cần ghi rõ văn bản hoặc trang chính thức đã dùng để đối chiếu.")
        if len(checked_against) > MAX_SOURCE_CHARS or len(note) > MAX_NOTE_CHARS:
            raise ReviewError(
                f"Nguồn đối chiếu tối đa {MAX_SOURCE_CHARS} ký tự, ghi chú tối đa {MAX_NOTE_CHARS} ký tự."
            )
        if reviewed_on > date.today():
            raise ReviewError("Ngày rà soát không thể ở tương lai.")
        with self._sessions() as session, session.begin():
            if session.get(Procedure, procedure_id) is None:
                raise ReviewError("Không có thủ tục này trong cơ sở dữ liệu.")
            session.add(
                ProcedureReview(
                    procedure_id=procedure_id,
                    reviewed_on=reviewed_on,
                    reviewer=reviewer,
                    checked_against=checked_against,
                    note=note or None,
                )
            )
        return Review(procedure_id, reviewed_on, reviewer, checked_against, note or None)

    def history(self, record: Dict[str, Any]) -> List[Review]:
        """Every review of ``record``, newest first (on the same day, the last recorded first)."""
        return list(reversed(sorted(self._reviews([record]), key=lambda r: r.reviewed_on)))

    def latest(self, record: Dict[str, Any]) -> Optional[Review]:
        """The most recent review of ``record``, or None when nobody has reviewed it."""
        return self.latest_by_procedure([record]).get(record["id"])

    def _reviews(self, records: List[Dict[str, Any]]) -> List[Review]:
        """The reviews of ``records``: those committed with them, then those recorded, oldest first."""
        ids = [record["id"] for record in records]
        with self._sessions() as session:
            rows = session.execute(
                select(ProcedureReview).where(ProcedureReview.procedure_id.in_(ids)).order_by(ProcedureReview.id)
            ).scalars()
            recorded = [_review_of(row) for row in rows]
        return [*(review for record in records for review in committed_reviews(record)), *recorded]

    def latest_by_procedure(self, records: List[Dict[str, Any]]) -> Dict[str, Review]:
        """The most recent review of each reviewed record, in one query (for the dashboard list)."""
        latest: Dict[str, Review] = {}
        for review in self._reviews(records):  # on the same day, the one recorded last wins
            if review.procedure_id not in latest or review.reviewed_on >= latest[review.procedure_id].reviewed_on:
                latest[review.procedure_id] = review
        return latest
