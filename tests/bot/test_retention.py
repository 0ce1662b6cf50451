import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, text

from bot.retention import purge
from knowledge_base.db import engine_for, session_factory
from knowledge_base.handoff import HandoffLog
from knowledge_base.models import AnalyticsEvent, HandoffRequest
from knowledge_base.ratings import RatingStore


def test_purge_removes_old_conversations_and_keeps_recent_and_ratings(database_url):
    engine = engine_for(database_url)
    now = time.time()
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp REAL)"))
        connection.execute(text("INSERT INTO events (sender_id, timestamp) VALUES ('old', :old), ('new', :new)"),
                           {"old": now - 400 * 86400, "new": now - 10 * 86400})
        connection.execute(insert(AnalyticsEvent), [
            {"digest": sender, "sender_id": sender, "type_name": "user", "timestamp": ts, "data": "{}"}
            for sender, ts in (("old", now - 400 * 86400), ("new", now - 10 * 86400))])
    sessions = session_factory(database_url)
    HandoffLog(sessions).record("old", "rest", "complain")
    with sessions() as session, session.begin():
        session.get(HandoffRequest, 1).created_at = datetime.now(timezone.utc) - timedelta(days=400)
    HandoffLog(sessions).record("new", "rest", "complain")
    RatingStore(sessions).add_score("old", "rest", 4)

    assert purge(database_url, 365, now=now) == {"events": 1, "analytics_events": 1, "handoff_requests": 1}
    with engine.connect() as connection:
        assert [r[0] for r in connection.execute(text("SELECT sender_id FROM events"))] == ["new"]
        assert [r[0] for r in connection.execute(text("SELECT sender_id FROM analytics_events"))] == ["new"]
    assert [r.conversation_id for r in HandoffLog(sessions).for_conversation("new")] == ["new"]
    assert len(RatingStore(sessions).for_conversation("old")) == 1
