"""The web server's tables: dashboard accounts, sessions, the access log and training labels."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Text

from core.db import Base, UTCDateTime, utcnow


class ReviewUser(Base):
    """An account of the review dashboard (communications team); passwords hashed with argon2."""

    __tablename__ = "review_users"

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(64), nullable=False, unique=True)
    password_hash = Column(Text, nullable=False)
    role = Column(String(16), nullable=False)
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(UTCDateTime)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class ReviewSession(Base):
    """A log-in to the review dashboard, so log-out and expiry hold on the server, not just in the browser.

    The cookie carries the signed random session id; only its SHA-256 is stored here, so a copy of
    the table does not yield usable cookies.
    """

    __tablename__ = "review_sessions"

    id = Column(Integer, primary_key=True, autoincrement=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    username = Column(String(64), nullable=False, index=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = Column(UTCDateTime, nullable=False, index=True)
    revoked_at = Column(UTCDateTime)


class AuditEntry(Base):
    """Who viewed or exported what on the review dashboard."""

    __tablename__ = "review_audit"

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(64), nullable=False, index=True)
    action = Column(String(32), nullable=False)
    target = Column(Text, nullable=False)
    at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)


class TrainingLabel(Base):
    """A citizen message marked by the team with the right intent and procedure."""

    __tablename__ = "training_labels"

    id = Column(Integer, primary_key=True, autoincrement=True)
    event_id = Column(Integer, nullable=False, unique=True)
    sender_id = Column(String(255), nullable=False)
    text = Column(Text, nullable=False)
    intent = Column(String(64), nullable=False)
    procedure_id = Column(String(64))
    labelled_by = Column(String(64), nullable=False)
    at = Column(UTCDateTime, nullable=False, default=utcnow)
