"""The action server's tables: what citizens rated, asked a person for, and application statuses."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, String, Text

from core.db import Base, UTCDateTime, utcnow


class Rating(Base):
    """A citizen's rating: a 1-5 score or a helpful/not-helpful flag on one answer."""

    __tablename__ = "ratings"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    procedure_id = Column(String(64), index=True)
    intent = Column(String(64))
    score = Column(Integer)
    helpful = Column(Boolean)
    comment = Column(Text)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)


class Application(Base):
    """Status of a submitted application, synced in by the agency."""

    __tablename__ = "applications"

    code = Column(String(64), primary_key=True)
    procedure_id = Column(String(64))
    status = Column(Text, nullable=False)
    note = Column(Text)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)


class HandoffRequest(Base):
    """A citizen asked for a person or filed a complaint through the assistant."""

    __tablename__ = "handoff_requests"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    kind = Column(String(32), nullable=False)
    procedure_id = Column(String(64))
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
