"""Tables owned by the assistant (Rasa's tracker store keeps its own `events` table)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


def utcnow() -> datetime:
    """Timezone-aware now, stored as UTC."""
    return datetime.now(timezone.utc)


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
    # The day the record was loaded or imported: bookkeeping, never shown as a review. (The column
    # keeps the name an earlier version gave it, so existing databases need no change.)
    loaded_on = Column("last_reviewed", Date, nullable=False)
    origin = Column(String(16), nullable=False, default=CURATED_ORIGIN)
    data = Column(JSON, nullable=False)
    updated_at = Column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class ProcedureReview(Base):
    """A person checked a procedure record against a named official source on a given day."""

    __tablename__ = "procedure_reviews"

    id = Column(Integer, primary_key=True, autoincrement=True)
    procedure_id = Column(String(64), ForeignKey("procedures.id", ondelete="CASCADE"), nullable=False, index=True)
    reviewed_on = Column(Date, nullable=False)
    reviewer = Column(String(255), nullable=False)
    checked_against = Column(Text, nullable=False)
    note = Column(Text)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


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
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)


class Application(Base):
    """Status of a submitted application, synced in by the agency."""

    __tablename__ = "applications"

    code = Column(String(64), primary_key=True)
    procedure_id = Column(String(64))
    status = Column(Text, nullable=False)
    note = Column(Text)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class HandoffRequest(Base):
    """A citizen asked for a person or filed a complaint through the assistant."""

    __tablename__ = "handoff_requests"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    kind = Column(String(32), nullable=False)
    procedure_id = Column(String(64))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class CallbackPayload(Base):
    """A button payload too long for a messenger's callback field, stored under a short key."""

    __tablename__ = "callback_payloads"

    key = Column(String(64), primary_key=True)
    payload = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class OAuthToken(Base):
    """A messenger's current access/refresh token pair (refresh tokens are single-use)."""

    __tablename__ = "oauth_tokens"

    provider = Column(String(32), primary_key=True)
    access_token = Column(Text, nullable=False)
    refresh_token = Column(Text, nullable=False)
    expires_at = Column(DateTime(timezone=True))
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class OutboundMessage(Base):
    """A reply a messenger did not accept in time, kept so it is resent (bot/channels/outbox.py).

    ``body`` is what the channel sends, with the text masked; ``recipient`` is the conversation id.
    """

    __tablename__ = "outbound_messages"

    id = Column(Integer, primary_key=True, autoincrement=True)
    channel = Column(String(32), nullable=False, index=True)
    recipient = Column(String(255), nullable=False, index=True)
    body = Column(JSON, nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(String(200))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    delivered_at = Column(DateTime(timezone=True))
    given_up_at = Column(DateTime(timezone=True))


class ReviewUser(Base):
    """An account of the review dashboard (communications team); passwords hashed with argon2."""

    __tablename__ = "review_users"

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(64), nullable=False, unique=True)
    password_hash = Column(Text, nullable=False)
    role = Column(String(16), nullable=False)
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime(timezone=True))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class AuditEntry(Base):
    """Who viewed or exported what on the review dashboard."""

    __tablename__ = "review_audit"

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(64), nullable=False, index=True)
    action = Column(String(32), nullable=False)
    target = Column(Text, nullable=False)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)


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
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class AnalyticsEvent(Base):
    """A copy of one masked tracker event, received from the RabbitMQ event broker.

    With ``RABBITMQ_URL`` set the review dashboard reads these rows instead of the tracker
    store (bot/review/event_feed.py). ``digest`` makes a redelivered event a no-op.
    """

    __tablename__ = "analytics_events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    digest = Column(String(64), nullable=False, unique=True)
    sender_id = Column(String(255), nullable=False, index=True)
    type_name = Column(String(32), nullable=False)
    timestamp = Column(Float, nullable=False, index=True)
    data = Column(Text, nullable=False)


class ReviewSession(Base):
    """A log-in to the review dashboard, so log-out and expiry hold on the server, not just in the browser.

    The cookie carries the signed random session id; only its SHA-256 is stored here, so a copy of
    the table does not yield usable cookies.
    """

    __tablename__ = "review_sessions"

    id = Column(Integer, primary_key=True, autoincrement=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    username = Column(String(64), nullable=False, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False, index=True)
    revoked_at = Column(DateTime(timezone=True))
