"""The knowledge base's tables: procedure records and the reviews officers record against them."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, ForeignKey, Integer, String, Text

from core.db import Base, UTCDateTime, utcnow

# Procedure.origin: written in knowledge_base/procedures/, or imported from the national database.
CURATED_ORIGIN = "curated"
IMPORTED_ORIGIN = "national"


class Procedure(Base):
    """One administrative procedure; `data` holds the whole validated record."""

    __tablename__ = "procedures"

    id = Column(String(64), primary_key=True)
    code = Column(String(32), index=True)
    name = Column(Text, nullable=False)
    field = Column(Text)
    level = Column(String(32))
    source_url = Column(Text, nullable=False)
    # The day the record was loaded or imported: bookkeeping, never shown as a review
    # (migration 0002 renamed it from last_reviewed).
    loaded_on = Column(Date, nullable=False)
    origin = Column(String(16), nullable=False, default=CURATED_ORIGIN)
    data = Column(JSON, nullable=False)
    updated_at = Column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProcedureReview(Base):
    """A person checked a procedure record against a named official source on a given day."""

    __tablename__ = "procedure_reviews"

    id = Column(Integer, primary_key=True, autoincrement=True)
    procedure_id = Column(String(64), ForeignKey("procedures.id", ondelete="CASCADE"), nullable=False, index=True)
    reviewed_on = Column(Date, nullable=False)
    reviewer = Column(String(255), nullable=False)
    checked_against = Column(Text, nullable=False)
    note = Column(Text)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
