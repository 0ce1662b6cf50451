import time
from datetime import datetime, timedelta, timezone

from cryptography.fernet import Fernet
from sqlalchemy import insert, select, text

from actions.stores.callbacks import CallbackStore
from actions.stores.feedback import AnswerFeedbackStore
from actions.stores.handoff import HandoffQueue
from actions.stores.invitations import CompletionInvitationStore
from actions.stores.surveys import ServiceSurveyStore
from actions.stores.tables import AnswerFeedback, CallbackRequest, CompletionInvitation, HandoffRequest
from bot.analytics_events import AnalyticsEvent
from core.db import engine_for, session_factory
from core.field_cipher import FieldCipher
from tools.retention import purge
from web.tables import (
    AuditEntry,
    ConversationNote,
    ConversationReview,
    ConversationTag,
    ReviewSession,
    TrainingLabel,
)


def test_purge_removes_old_conversations_and_keeps_recent_ones_and_the_figures(database_url):
    engine = engine_for(database_url)
    now = time.time()
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp REAL)"))
        connection.execute(
            text("INSERT INTO events (sender_id, timestamp) VALUES ('old', :old), ('new', :new)"),
            {"old": now - 400 * 86400, "new": now - 10 * 86400},
        )
        connection.execute(
            insert(AnalyticsEvent),
            [
                {"digest": sender, "sender_id": sender, "type_name": "user", "timestamp": ts, "data": "{}"}
                for sender, ts in (("old", now - 400 * 86400), ("new", now - 10 * 86400))
            ],
        )
    sessions = session_factory(database_url)
    HandoffQueue(sessions).record("old", "rest", "complain")
    with sessions() as session, session.begin():
        session.get(HandoffRequest, 1).created_at = datetime.now(timezone.utc) - timedelta(days=400)
    HandoffQueue(sessions).record("new", "rest", "complain")
    feedback = AnswerFeedbackStore(sessions)
    for conversation, comment in (("old", "chậm quá"), ("new", "sai địa chỉ")):
        feedback.rate(conversation, "m1", "rest", False, "ho-chieu", "ask_fee")
        feedback.explain(conversation, "m1", "missing_information")
        feedback.comment(conversation, "m1", comment)
    invitations = CompletionInvitationStore(sessions)
    invitations.opt_in("old", "telegram", "G22.39-250101-0001")
    invitations.opt_in("new", "telegram", "G22.39-250101-0002")
    surveys = ServiceSurveyStore(sessions)
    surveys.start("old", "s1", "rest", "ho-chieu", "goodbye")
    surveys.answer("old", "s1", "overall", 4)
    long_ago = datetime.now(timezone.utc) - timedelta(days=400)
    with sessions() as session, session.begin():
        session.get(AnswerFeedback, 1).created_at = long_ago
        session.get(CompletionInvitation, 1).opted_in_at = long_ago
        session.add_all(
            [
                ConversationTag(sender_id="old", tag="khiếu nại", added_by="lan", at=long_ago),
                ConversationTag(sender_id="new", tag="khiếu nại", added_by="lan"),
                ConversationNote(sender_id="old", author="lan", text="đã gọi lại", at=long_ago),
                ConversationReview(sender_id="old", seen_by="lan", seen_at=long_ago),
                ConversationReview(sender_id="new", seen_by="lan"),
                TrainingLabel(
                    event_id=1, sender_id="old", text="làm hộ chiếu", intent="ask_fee", labelled_by="lan", at=long_ago
                ),
                TrainingLabel(event_id=2, sender_id="new", text="cần gì", intent="ask_documents", labelled_by="lan"),
                AuditEntry(username="lan", action="view", target="/review/conversations/old", at=long_ago),
                AuditEntry(username="lan", action="view", target="/review/"),
                ReviewSession(token_hash="a" * 64, username="lan", expires_at=long_ago),
                ReviewSession(
                    token_hash="b" * 64, username="lan", expires_at=datetime.now(timezone.utc) + timedelta(hours=1)
                ),
            ]
        )

    assert purge(database_url, 365, now=now) == {
        "events": 1,
        "analytics_events": 1,
        "callback_numbers": 0,
        "handoff_requests": 1,
        "completion_invitations": 1,
        "outbound_messages": 0,
        "training_labels": 1,
        "review_audit": 1,
        "feedback_comments": 1,
        "conversation_notes": 1,
        "conversation_tags": 1,
        "conversation_reviews": 1,
        "review_sessions": 1,
    }
    with engine.connect() as connection:
        assert [r[0] for r in connection.execute(text("SELECT sender_id FROM events"))] == ["new"]
        assert [r[0] for r in connection.execute(text("SELECT sender_id FROM analytics_events"))] == ["new"]
    assert [r.conversation_id for r in HandoffQueue(sessions).for_conversation("new")] == ["new"]
    [old] = feedback.for_conversation("old")
    [new] = feedback.for_conversation("new")
    assert (old.helpful, old.reason, old.comment) == (False, "missing_information", None)
    assert new.comment == "sai địa chỉ"
    assert [s.overall for s in surveys.for_conversation("old")] == [4]
    assert invitations.for_conversation("old") == [] and len(invitations.for_conversation("new")) == 1
    with sessions() as session:
        assert [t.sender_id for t in session.execute(select(TrainingLabel)).scalars()] == ["new"]
        assert [a.target for a in session.execute(select(AuditEntry)).scalars()] == ["/review/"]
        assert [r.token_hash[0] for r in session.execute(select(ReviewSession)).scalars()] == ["b"]
        assert [t.sender_id for t in session.execute(select(ConversationTag)).scalars()] == ["new"]
        assert [r.sender_id for r in session.execute(select(ConversationReview)).scalars()] == ["new"]
        assert list(session.execute(select(ConversationNote)).scalars()) == []


def test_callback_numbers_expire_before_their_request_and_go_with_it(database_url):
    sessions = session_factory(database_url)
    queue = HandoffQueue(sessions)
    callbacks = CallbackStore(sessions, FieldCipher(Fernet.generate_key().decode()))
    now = datetime.now(timezone.utc)
    ages = {"ancient": 400, "stale": 40, "fresh": 3}
    for name, days in ages.items():
        ticket = queue.open_request(name, "telegram")
        callbacks.save(ticket.id, "0912345678", now)
        with sessions() as session, session.begin():
            session.get(HandoffRequest, ticket.id).created_at = now - timedelta(days=days)
            row = session.execute(select(CallbackRequest).where(CallbackRequest.handoff_id == ticket.id)).scalar_one()
            row.created_at = now - timedelta(days=days)
    removed = purge(database_url, 365, number_days=30)
    assert removed["callback_numbers"] == 2 and removed["handoff_requests"] == 1
    with sessions() as session:
        rows = {r.handoff_id: r.phone_encrypted for r in session.execute(select(CallbackRequest)).scalars()}
    assert set(rows) == {2, 3}  # the 400-day-old request went with its callback record
    assert rows[2] is None and callbacks.number(3) == "0912345678"
