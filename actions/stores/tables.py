"""The action server's tables: what citizens said of answers and services, hand-offs, application statuses."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Text, UniqueConstraint

from core.db import Base, UTCDateTime, utcnow


class AnswerFeedback(Base):
    """A citizen's 👍/👎 on one answered turn, with the reason and comment given after a 👎.

    The turn is the id of the citizen's message the answer replied to, so the feedback never has to
    be joined to an answer by time; a turn has at most one row, changed in place when re-rated.
    """

    __tablename__ = "answer_feedback"
    __table_args__ = (UniqueConstraint("conversation_id", "turn_id", name="uq_answer_feedback_turn"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    turn_id = Column(String(64), nullable=False)
    channel = Column(String(32), nullable=False)
    procedure_id = Column(String(64), index=True)
    intent = Column(String(64))
    helpful = Column(Boolean, nullable=False)
    reason = Column(String(32))
    comment = Column(Text)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)


class ServiceSurvey(Base):
    """A citizen's evaluation of an online public service (not of the assistant), one per conversation.

    Asked when a conversation about a procedure ends; every score is 1-5 and optional, stored as it
    is given so a survey left halfway still counts.
    """

    __tablename__ = "service_surveys"
    __table_args__ = (UniqueConstraint("conversation_id", "session_key", name="uq_service_survey_conversation"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    session_key = Column(String(64), nullable=False)
    channel = Column(String(32), nullable=False)
    procedure_id = Column(String(64), index=True)
    trigger = Column(String(32), nullable=False)
    overall = Column(Integer)
    finding_information = Column(Integer)
    submitting_online = Column(Integer)
    time_as_promised = Column(Integer)
    cost_as_announced = Column(Integer)
    # Only surveys carried over from the old ``ratings`` table have one (revision 0004).
    comment = Column(Text)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)


class Application(Base):
    """Status of a submitted application, synced in by the agency."""

    __tablename__ = "applications"

    code = Column(String(64), primary_key=True)
    procedure_id = Column(String(64))
    status = Column(Text, nullable=False)
    note = Column(Text)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)


class CompletionInvitation(Base):
    """A citizen's opt-in to be invited to the service survey when their dossier is completed.

    Kept with the channel the citizen used (only Telegram and Zalo can send unprompted); set
    ``invited_at`` once the invitation went out, so nobody is invited twice for one dossier.
    """

    __tablename__ = "completion_invitations"
    __table_args__ = (UniqueConstraint("conversation_id", "application_code", name="uq_completion_invitation"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(255), nullable=False)
    channel = Column(String(32), nullable=False)
    application_code = Column(String(64), nullable=False, index=True)
    opted_in_at = Column(UTCDateTime, nullable=False, default=utcnow)
    invited_at = Column(UTCDateTime, index=True)


class HandoffRequest(Base):
    """A citizen asked for a person or filed a complaint through the assistant.

    A request for a person goes through the officers' queue (actions/stores/handoff.py):
    ``new`` → ``taken`` (an officer has the conversation; the assistant is silent) → ``answered``
    (handed back after the officer replied) → ``closed``. A complaint is recorded as ``closed``.
    """

    __tablename__ = "handoff_requests"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    kind = Column(String(32), nullable=False)
    procedure_id = Column(String(64))
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    status = Column(String(16), nullable=False, default="new", index=True)
    owner = Column(String(64))
    taken_at = Column(UTCDateTime)
    first_reply_at = Column(UTCDateTime)
    handed_back_at = Column(UTCDateTime)
    closed_at = Column(UTCDateTime)
    # Set once the citizen was offered a callback (outside office hours, or nobody took the request).
    callback_offered_at = Column(UTCDateTime)


class CallbackRequest(Base):
    """A citizen's consent to be called back, with the number encrypted (core/field_cipher.py).

    The number is kept only here: the tracker and the logs hold its masked form. ``phone_encrypted``
    is emptied when the request is closed or by retention; ``phone_hint`` (the last three digits)
    lets an officer confirm the right number without opening it.
    """

    __tablename__ = "callback_requests"

    id = Column(Integer, primary_key=True, autoincrement=True)
    handoff_id = Column(Integer, ForeignKey("handoff_requests.id"), nullable=False, unique=True)
    phone_encrypted = Column(Text)
    phone_hint = Column(String(8))
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    expected_by = Column(UTCDateTime, nullable=False)
    deleted_at = Column(UTCDateTime)
