"""The web server's tables: dashboard accounts, sessions, the access log, training labels, and the team's
tags, notes and "đã xem" marks on conversations."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Text, UniqueConstraint

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


class ConversationTag(Base):
    """A word the team files a conversation under ("khiếu nại", "cần cập nhật thủ tục"); once per conversation."""

    __tablename__ = "conversation_tags"
    __table_args__ = (UniqueConstraint("sender_id", "tag", name="uq_conversation_tag"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    sender_id = Column(String(255), nullable=False, index=True)
    tag = Column(String(40), nullable=False, index=True)
    added_by = Column(String(64), nullable=False)
    at = Column(UTCDateTime, nullable=False, default=utcnow)


class ConversationNote(Base):
    """An officer's note on a conversation, personal data masked like citizens' words."""

    __tablename__ = "conversation_notes"

    id = Column(Integer, primary_key=True, autoincrement=True)
    sender_id = Column(String(255), nullable=False, index=True)
    author = Column(String(64), nullable=False)
    text = Column(Text, nullable=False)
    at = Column(UTCDateTime, nullable=False, default=utcnow)


class ConversationReview(Base):
    """That a conversation has been read ("đã xem"), by whom and when; no row means not yet."""

    __tablename__ = "conversation_reviews"

    sender_id = Column(String(255), primary_key=True)
    seen_by = Column(String(64), nullable=False)
    seen_at = Column(UTCDateTime, nullable=False, default=utcnow)
