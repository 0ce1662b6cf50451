"""The broker the settings choose, and the in-process one that fills analytics_events without RabbitMQ."""

from __future__ import annotations

import asyncio
import json

from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import func, select

from bot.analytics_events import ANALYTICS_TYPES, AnalyticsEvent, AnalyticsEventStore, event_row
from bot.event_broker import ConfiguredEventBroker, DatabaseEventBroker
from bot.tracker_store import PrivacyTrackerStore
from core.db import engine_for
from tests.web.dashboard.conftest import CONVERSATIONS


def _rows(url: str) -> list:
    with engine_for(url).connect() as connection:
        return connection.execute(
            select(AnalyticsEvent.sender_id, AnalyticsEvent.type_name, AnalyticsEvent.digest, AnalyticsEvent.data)
        ).all()


def test_without_rabbitmq_the_database_broker_is_chosen(monkeypatch, database_url):
    monkeypatch.delenv("RABBITMQ_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    broker = asyncio.run(ConfiguredEventBroker.from_endpoint_config(None))
    assert isinstance(broker, DatabaseEventBroker)
    assert str(broker.store.engine.url) == database_url


def test_a_saved_turn_lands_in_analytics_events_masked_and_once(database_url):
    broker = DatabaseEventBroker(AnalyticsEventStore(engine_for(database_url)))
    store = PrivacyTrackerStore(domain=Domain.empty(), url=database_url, event_broker=broker)
    events = CONVERSATIONS["web-4"]
    asyncio.run(store.save(DialogueStateTracker.from_events("web-4", events)))
    asyncio.run(store.save(DialogueStateTracker.from_events("web-4", events)))  # nothing new: no second copy
    rows = _rows(database_url)
    assert [row.type_name for row in rows] == [e.type_name for e in events if e.type_name in ANALYTICS_TYPES]
    assert all(row.sender_id == "web-4" for row in rows)
    assert "001203004567" not in "".join(row.data for row in rows), "the tracker store masks before publishing"
    # The same digest the RabbitMQ feed computes for the same event, so both paths agree on duplicates.
    first = json.loads(rows[0].data)
    assert rows[0].digest == event_row(first)["digest"]


def test_a_refused_write_is_kept_and_stored_with_the_next_turn(database_url):
    engine = engine_for(database_url)
    broker = DatabaseEventBroker(AnalyticsEventStore(engine))
    first = {"sender_id": "a", "event": "user", "timestamp": 1.0, "text": "xin chào"}
    second = {"sender_id": "a", "event": "bot", "timestamp": 2.0, "text": "Chào bạn"}
    AnalyticsEvent.__table__.drop(engine)
    broker.publish(first)  # the database refuses: kept, not raised into Rasa's turn
    AnalyticsEvent.__table__.create(engine)
    broker.publish(second)
    with engine.connect() as connection:
        stored = connection.execute(select(AnalyticsEvent.type_name).order_by(AnalyticsEvent.timestamp)).scalars()
        assert list(stored) == ["user", "bot"]
        assert connection.execute(select(func.count()).select_from(AnalyticsEvent)).scalar_one() == 2
