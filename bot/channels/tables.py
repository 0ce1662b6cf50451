"""The messenger channels' tables: long button payloads, Zalo's tokens, and replies still to deliver."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Integer, String, Text

from core.db import Base, UTCDateTime, utcnow


class CallbackPayload(Base):
    """A button payload too long for a messenger's callback field, stored under a short key."""

    __tablename__ = "callback_payloads"

    key = Column(String(64), primary_key=True)
    payload = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class OAuthToken(Base):
    """A messenger's current access/refresh token pair (refresh tokens are single-use)."""

    __tablename__ = "oauth_tokens"

    provider = Column(String(32), primary_key=True)
    access_token = Column(Text, nullable=False)
    refresh_token = Column(Text, nullable=False)
    expires_at = Column(UTCDateTime)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)


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
    created_at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    next_attempt_at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    delivered_at = Column(UTCDateTime)
    given_up_at = Column(UTCDateTime)
