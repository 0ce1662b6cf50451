"""The dashboard fed from the real RabbitMQ: Rasa's Pika broker publishes, EventFeed stores."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Dict, List

import aio_pika
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import func, select

from bot.analytics_events import ANALYTICS_TYPES, AnalyticsEvent, AnalyticsEventStore
from bot.event_broker import ConfiguredEventBroker, DatabaseEventBroker, RabbitUrlEventBroker
from bot.tracker_store import PrivacyTrackerStore
from core.db import engine_for
from tests.conftest import RABBITMQ_URL
from tests.web.dashboard.conftest import CONVERSATIONS, DAY
from web.dashboard.analytics import Filters, ReviewData
from web.event_feed import EventFeed

WEEK = Filters(DAY.date(), DAY.date())


def _summary(data: ReviewData) -> List[Dict]:
    return [
        dict(
            sender=t.sender_id,
            text=t.text,
            intent=t.intent,
            confidence=t.confidence,
            channel=t.channel,
            procedure=t.procedure_id,
            status=t.answer_status,
            actions=t.actions,
            replies=t.replies,
        )
        for t in data.turns(WEEK)
    ]


async def _wait_for_rows(engine, expected: int, seconds: float = 30) -> int:
    deadline = time.monotonic() + seconds
    count = 0
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            count = connection.execute(select(func.count()).select_from(AnalyticsEvent)).scalar_one()
        if count >= expected:
            return count
        await asyncio.sleep(0.2)
    return count


async def _publish_raw(queue: str, bodies: List[bytes]) -> None:
    connection = await aio_pika.connect_robust(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        await channel.declare_queue(queue, durable=True)
        for body in bodies:
            await channel.default_exchange.publish(aio_pika.Message(body), routing_key=queue)


async def _drain(queue: str) -> List[bytes]:
    connection = await aio_pika.connect_robust(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        source = await channel.declare_queue(queue, durable=True)
        bodies = []
        while (message := await source.get(no_ack=True, fail=False)) is not None:
            bodies.append(message.body)
        return bodies


def test_dashboard_fed_from_rabbitmq_matches_the_tracker_store(tmp_path, monkeypatch, rabbitmq_queue, postgres_url):
    """Tracker store -> Rasa's Pika broker -> RabbitMQ -> EventFeed -> PostgreSQL -> the same dashboard turns."""
    monkeypatch.setenv("RABBITMQ_URL", RABBITMQ_URL)
    monkeypatch.setenv("RABBITMQ_QUEUE", rabbitmq_queue)
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    in_process = DatabaseEventBroker(AnalyticsEventStore(engine_for(tracker_url)))
    analytics_engine = engine_for(postgres_url)

    async def scenario() -> int:
        broker = await ConfiguredEventBroker.from_endpoint_config(None)
        assert isinstance(broker, RabbitUrlEventBroker)
        replica_url = f"sqlite:///{tmp_path / 'replica.db'}"
        store = PrivacyTrackerStore(domain=Domain.empty(), url=replica_url, event_broker=broker)
        embedded = PrivacyTrackerStore(domain=Domain.empty(), url=tracker_url, event_broker=in_process)
        for sender, events in CONVERSATIONS.items():
            await store.save(DialogueStateTracker.from_events(sender, events))
            await embedded.save(DialogueStateTracker.from_events(sender, events))
        duplicate = json.dumps({"sender_id": "rest-2", **CONVERSATIONS["rest-2"][0].as_dict()}).encode()
        await _publish_raw(rabbitmq_queue, [duplicate, b"not an event", b'{"event": "user"}'])

        feed = EventFeed(RABBITMQ_URL, rabbitmq_queue, AnalyticsEventStore(analytics_engine))
        await feed.start()
        expected = sum(1 for events in CONVERSATIONS.values() for e in events if e.type_name in ANALYTICS_TYPES)
        stored = await _wait_for_rows(analytics_engine, expected)
        await asyncio.sleep(1)  # anything beyond the expected rows (a duplicate) would arrive by now
        stored = await _wait_for_rows(analytics_engine, expected)
        await feed.stop()
        await broker.close()
        return stored

    stored = asyncio.run(scenario())
    expected = sum(1 for events in CONVERSATIONS.values() for e in events if e.type_name in ANALYTICS_TYPES)
    assert stored == expected, "every event once: the redelivered duplicate is not stored twice"

    # The same dashboard as the embedded set-up, where the Rasa server writes the copy itself.
    from_tracker = _summary(ReviewData(engine_for(tracker_url)))
    from_feed = _summary(ReviewData(analytics_engine))
    assert from_feed == from_tracker
    assert len(from_feed) == 6
    web = next(turn for turn in from_feed if turn["sender"] == "web-4")
    assert "001203004567" not in web["text"] and web["procedure"] == "tam-tru"

    invalid = asyncio.run(_drain(f"{rabbitmq_queue}.invalid"))
    assert sorted(invalid) == sorted([b'{"event": "user"}', b"not an event"]), "bad messages are set aside, not dropped"
    assert asyncio.run(_drain(rabbitmq_queue)) == [], "everything stored was acknowledged"


def test_unstored_events_stay_in_the_queue_when_the_database_is_down(tmp_path, rabbitmq_queue):
    """No acknowledgement before the commit: with the database unusable, the messages wait in RabbitMQ."""
    engine = engine_for(f"sqlite:///{tmp_path / 'analytics.db'}")
    AnalyticsEvent.__table__.drop(engine)  # every insert fails until the table is back
    body = json.dumps({"sender_id": "s", "event": "user", "timestamp": 1.0, "text": "xin chào"}).encode()

    async def scenario() -> int:
        await _publish_raw(rabbitmq_queue, [body])
        feed = EventFeed(RABBITMQ_URL, rabbitmq_queue, AnalyticsEventStore(engine))
        await feed.start()
        await asyncio.sleep(1.5)
        await feed.stop()
        waiting = await _drain(rabbitmq_queue)
        assert waiting == [body]
        AnalyticsEvent.__table__.create(engine)
        await _publish_raw(rabbitmq_queue, waiting)
        feed = EventFeed(RABBITMQ_URL, rabbitmq_queue, AnalyticsEventStore(engine))
        await feed.start()
        count = await _wait_for_rows(engine, 1)
        await feed.stop()
        return count

    assert asyncio.run(scenario()) == 1


def test_review_data_on_a_new_database_shows_nothing(tmp_path):
    assert ReviewData(engine_for(f"sqlite:///{tmp_path / 'empty.db'}")).turns(WEEK) == []
