"""The outbox keeps what a messenger refused and resends it in order, with backoff, for a day."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import Any, Dict, List, Tuple

import pytest
from sqlalchemy import select

from bot.channels.outbox import Courier, OutboxRetrier, OutboxStore, RetryPolicy
from bot.channels.tables import OutboundMessage
from core.db import session_factory, utcnow
from tools.retention import purge


class Unreachable(ConnectionError):
    pass


class Refused(ValueError):
    pass


class Messenger:
    """A send function that fails while ``down`` and records what it delivered."""

    def __init__(self) -> None:
        self.down = False
        self.refuse: set = set()
        self.delivered: List[Tuple[str, Dict[str, Any]]] = []

    async def send(self, recipient: str, body: Dict[str, Any]) -> None:
        if self.down:
            raise Unreachable("connection refused")
        if body.get("text") in self.refuse:
            raise Refused("message refused")
        self.delivered.append((recipient, body))


@pytest.fixture
def outbox(database_url) -> OutboxStore:
    return OutboxStore(session_factory(database_url), RetryPolicy((30, 120)))


def rows(outbox: OutboxStore) -> List[OutboundMessage]:
    with outbox._sessions() as session:
        return list(session.execute(select(OutboundMessage).order_by(OutboundMessage.id)).scalars())


def test_kept_text_is_masked_and_counted(outbox, caplog):
    caplog.set_level(logging.INFO, logger="bot.channels.outbox")
    kept = outbox.add(
        "telegram",
        "telegram:7",
        {"text": "Gọi lại số 0912 345 678 nhé", "buttons": [{"text": "Lệ phí", "callback_data": "/fee"}]},
        "NetworkError: Bad Gateway (502)",
    )
    plain = outbox.add("telegram", "telegram:7", {"text": "Gọi tổng đài 18001096"}, None)
    stored = rows(outbox)
    assert "0912" not in stored[0].body["text"] and "[SĐT]" in stored[0].body["text"]
    assert stored[0].body["buttons"] == [{"text": "Lệ phí", "callback_data": "/fee"}]
    assert stored[1].body["text"] == "Gọi tổng đài 18001096", "the hotline is not personal data"
    assert (stored[0].attempts, stored[1].attempts) == (1, 0)
    assert f"outbox.masked channel=telegram id={kept.id}" in caplog.text
    assert f"id={plain.id}" not in caplog.text
    assert outbox.counts() == {"pending": 2, "delivered": 0, "given_up": 0}
    assert [row.id for row in outbox.pending(10)] == [kept.id, plain.id]


def test_due_after_the_first_delay_and_claimed_once(outbox):
    now = utcnow()
    outbox.add("zalo", "zalo:u1", {"text": "a"}, "ZaloUnavailable: HTTP 502", now=now)
    assert outbox.due("zalo", now=now + timedelta(seconds=29)) == []
    assert outbox.due("telegram", now=now + timedelta(seconds=31)) == []
    [message] = outbox.due("zalo", now=now + timedelta(seconds=31))
    [same] = outbox.due("zalo", now=now + timedelta(seconds=31))
    assert outbox.claim(message, now=now + timedelta(seconds=31))
    assert not outbox.claim(same, now=now + timedelta(seconds=31)), "another retrier took it"
    assert outbox.due("zalo", now=now + timedelta(seconds=32)) == []
    outbox.delivered(message)
    assert outbox.counts() == {"pending": 0, "delivered": 1, "given_up": 0}


def test_failures_back_off_and_are_given_up_after_a_day(outbox, caplog):
    start = utcnow()
    message = outbox.add("zalo", "zalo:u1", {"text": "a"}, "ZaloUnavailable", now=start)
    later = outbox.add("zalo", "zalo:u1", {"text": "b"}, None, now=start)
    now = start + timedelta(seconds=30)
    assert outbox.claim(message, now=now)
    assert not outbox.failed(message, "ZaloUnavailable", now=now)
    [row, behind] = rows(outbox)
    assert row.attempts == 2
    assert row.next_attempt_at.replace(tzinfo=None) == (now + timedelta(seconds=120)).replace(tzinfo=None)
    assert behind.next_attempt_at == row.next_attempt_at, "a later message to the same citizen waits with it"
    assert outbox.due("zalo", now=now + timedelta(seconds=119)) == []

    now = start + timedelta(hours=23, minutes=59)
    assert outbox.claim(message, now=now)
    caplog.set_level(logging.WARNING, logger="bot.channels.outbox")
    assert outbox.failed(message, "ZaloUnavailable", now=now), "the next try would be more than a day late"
    assert f"outbox.given_up channel=zalo id={message.id} attempts=3" in caplog.text
    assert outbox.counts() == {"pending": 1, "delivered": 0, "given_up": 1}
    assert [m.id for m in outbox.due("zalo", now=now + timedelta(days=1))] == [later.id]


def test_courier_never_raises_and_queues_the_rest_of_the_turn(outbox):
    messenger = Messenger()
    messenger.down = True
    courier = Courier("zalo", messenger.send, outbox, permanent=(Refused,))
    for text in ("một", "hai", "ba"):
        asyncio.run(courier.deliver("zalo:u1", {"text": text}))
    stored = rows(outbox)
    assert [(r.body["text"], r.attempts) for r in stored] == [("một", 1), ("hai", 0), ("ba", 0)]
    assert stored[0].last_error == "Unreachable: connection refused" and stored[1].last_error is None


def test_a_new_turn_queues_behind_replies_still_waiting_for_the_same_citizen(outbox):
    messenger = Messenger()
    messenger.down = True
    asyncio.run(Courier("telegram", messenger.send, outbox).deliver("telegram:1", {"text": "câu trả lời 1"}))
    messenger.down = False
    asyncio.run(Courier("telegram", messenger.send, outbox).deliver("telegram:1", {"text": "câu trả lời 2"}))
    asyncio.run(Courier("telegram", messenger.send, outbox).deliver("telegram:2", {"text": "người khác"}))
    assert messenger.delivered == [("telegram:2", {"text": "người khác"})]
    assert [r.body["text"] for r in rows(outbox)] == ["câu trả lời 1", "câu trả lời 2"]


def test_courier_gives_up_a_refused_message_and_still_sends_the_next(outbox):
    messenger = Messenger()
    messenger.refuse = {"không gửi được"}
    courier = Courier("telegram", messenger.send, outbox, permanent=(Refused,))
    asyncio.run(courier.deliver("telegram:1", {"text": "không gửi được"}))
    asyncio.run(courier.deliver("telegram:1", {"text": "tiếp theo"}))
    assert messenger.delivered == [("telegram:1", {"text": "tiếp theo"})]
    assert outbox.counts() == {"pending": 0, "delivered": 0, "given_up": 1}


def test_retrier_resends_in_order_and_waits_while_the_messenger_is_down(database_url):
    outbox = OutboxStore(session_factory(database_url), RetryPolicy((0.05,)))
    messenger = Messenger()
    messenger.down = True
    courier = Courier("telegram", messenger.send, outbox)
    for text in ("một", "hai"):
        asyncio.run(courier.deliver("telegram:1", {"text": text}))
    asyncio.run(Courier("telegram", messenger.send, outbox).deliver("telegram:2", {"text": "ba"}))
    retrier = OutboxRetrier("telegram", outbox, messenger.send)
    time.sleep(0.1)
    assert asyncio.run(retrier.run_once()) == 0
    assert [r.attempts for r in rows(outbox)] == [2, 0, 1], "a round stops at the first unreachable send"
    messenger.down = False
    time.sleep(0.1)
    assert asyncio.run(retrier.run_once()) == 3
    assert [(r, b["text"]) for r, b in messenger.delivered] == [
        ("telegram:1", "một"),
        ("telegram:1", "hai"),
        ("telegram:2", "ba"),
    ]
    assert outbox.counts() == {"pending": 0, "delivered": 3, "given_up": 0}


def test_retrier_task_starts_and_stops(database_url):
    outbox = OutboxStore(session_factory(database_url), RetryPolicy((0.05,)))
    messenger = Messenger()
    outbox.add("zalo", "zalo:u1", {"text": "a"}, "ZaloUnavailable")

    async def scenario() -> None:
        retrier = OutboxRetrier("zalo", outbox, messenger.send)
        retrier.start()
        for _ in range(100):
            if messenger.delivered:
                break
            await asyncio.sleep(0.05)
        await retrier.stop()

    asyncio.run(scenario())
    assert messenger.delivered == [("zalo:u1", {"text": "a"})]


def test_retry_delays_come_from_the_settings(monkeypatch):
    monkeypatch.setenv("OUTBOX_RETRY_SECONDS", "1, 5")
    policy = RetryPolicy.from_settings()
    assert policy.delays == (1.0, 5.0) and policy.poll_seconds == 1.0
    assert [policy.delay_after(n).total_seconds() for n in (1, 2, 3)] == [1, 5, 5]
    monkeypatch.delenv("OUTBOX_RETRY_SECONDS")
    assert RetryPolicy.from_settings().delays == (30, 120, 600, 3600)
    with pytest.raises(ValueError):
        RetryPolicy((0,))


def test_purge_removes_old_delivered_and_given_up_messages_only(database_url):
    outbox = OutboxStore(session_factory(database_url))
    old = utcnow() - timedelta(days=400)
    delivered, given_up, waiting = (outbox.add("zalo", f"zalo:u{n}", {"text": "a"}, None, now=old) for n in range(3))
    recent = outbox.add("zalo", "zalo:u3", {"text": "a"}, None)
    outbox.delivered(delivered, now=old)
    outbox.failed(given_up, "ZaloUnavailable", permanent=True, now=old)
    outbox.delivered(recent)
    removed = purge(database_url, 365)
    assert removed["outbound_messages"] == 2
    assert [r.id for r in rows(outbox)] == [waiting.id, recent.id]


def test_a_fetching_client_collects_its_held_messages_once_in_order(outbox):
    outbox.add("rest", "citizen-1", {"text": "Cán bộ: chào bạn"}, error=None)
    outbox.add("rest", "citizen-2", {"text": "Cán bộ: việc khác"}, error=None)
    outbox.add("rest", "citizen-1", {"text": "Cán bộ: gọi 0912345678 nhé"}, error=None)
    assert outbox.collect("rest", "citizen-1") == [
        {"text": "Cán bộ: chào bạn"},
        {"text": "Cán bộ: gọi [SĐT] nhé"},
    ]
    assert outbox.collect("rest", "citizen-1") == []
    assert outbox.collect("telegram", "citizen-2") == []
    assert [b["text"] for b in outbox.collect("rest", "citizen-2")] == ["Cán bộ: việc khác"]
