"""The privacy tracker store publishes each new event exactly once, masked, to the real RabbitMQ."""

import asyncio
import json
from typing import Dict, List

import aio_pika
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.event_broker import ConfiguredEventBroker
from bot.tracker_store import PrivacyTrackerStore
from tests.conftest import RABBITMQ_URL


def _turn(text: str, reply: str, at: float) -> List:
    return [
        UserUttered(text, {"name": "ask_fee", "confidence": 0.9}, timestamp=at),
        ActionExecuted("action_answer_procedure", timestamp=at + 1),
        SlotSet("procedure_id", "ho-chieu", timestamp=at + 1),
        BotUttered(reply, timestamp=at + 2),
        ActionExecuted("action_listen", timestamp=at + 3),
    ]


async def _published(queue: str, expected: int, seconds: float = 20) -> List[Dict]:
    connection = await aio_pika.connect_robust(RABBITMQ_URL)
    bodies: List[Dict] = []
    async with connection:
        channel = await connection.channel()
        source = await channel.declare_queue(queue, durable=True)
        deadline = asyncio.get_running_loop().time() + seconds
        while asyncio.get_running_loop().time() < deadline:
            message = await source.get(no_ack=True, fail=False)
            if message is None:
                if len(bodies) >= expected:
                    await asyncio.sleep(0.5)  # anything more would be a duplicate
                    if (extra := await source.get(no_ack=True, fail=False)) is None:
                        break
                    bodies.append(json.loads(extra.body))
                await asyncio.sleep(0.1)
                continue
            bodies.append(json.loads(message.body))
    return bodies


def test_each_new_event_is_published_once_and_masked(tmp_path, monkeypatch, rabbitmq_queue):
    monkeypatch.setenv("RABBITMQ_URL", RABBITMQ_URL)
    monkeypatch.setenv("RABBITMQ_QUEUE", rabbitmq_queue)
    first = _turn("số tôi 0912345678, làm hộ chiếu hết bao nhiêu tiền", "Lệ phí…", 1_800_000_000.0)
    second = _turn("cần giấy tờ gì", "Hồ sơ…", 1_800_000_100.0)

    async def scenario() -> List[Dict]:
        broker = await ConfiguredEventBroker.from_endpoint_config(None)
        store = PrivacyTrackerStore(
            domain=Domain.empty(), url=f"sqlite:///{tmp_path / 'tracker.db'}", event_broker=broker
        )
        await store.save(DialogueStateTracker.from_events("citizen", first))
        await store.save(DialogueStateTracker.from_events("citizen", [*first, *second]))
        published = await _published(rabbitmq_queue, len(first) + len(second))
        await broker.close()
        return published

    published = asyncio.run(scenario())
    assert [(e["event"], e["timestamp"]) for e in published] == [(e.type_name, e.timestamp) for e in [*first, *second]]
    assert published[0]["text"] == "số tôi [SĐT], làm hộ chiếu hết bao nhiêu tiền"
    assert "0912345678" not in json.dumps(published, ensure_ascii=False)


def test_metadata_slots_and_texts_are_masked_before_storage(tmp_path):
    from bot.tracker_store import mask_event

    metadata = {"note": "sdt 0912345678", "who": ["tôi tên là Nguyễn Văn An"], "n": 3}
    user = UserUttered(
        "cccd 001 203 004 567\x00",
        {"name": "ask_fee", "confidence": 0.9},
        metadata=metadata,
        parse_data={"text": "cccd 001 203 004 567", "metadata": metadata, "entities": []},
    )
    tracker = DialogueStateTracker.from_events(
        "c", [user, SlotSet("contact", {"phone": "0912345678"}), BotUttered("ok", metadata={"echo": "0912345678"})]
    )
    for event in tracker.events:
        mask_event(event, 1000)
    stored = json.dumps([event.as_dict() for event in tracker.events], ensure_ascii=False)
    assert "0912345678" not in stored and "001 203 004 567" not in stored and "Nguyễn Văn An" not in stored
    assert "\x00" not in tracker.events[0].text
    assert tracker.events[0].metadata == {"note": "sdt [SĐT]", "who": ["tôi tên là [HỌ TÊN]"], "n": 3}
