"""A database seeded through Rasa's real SQL tracker store (our privacy subclass) plus ratings."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import PrivacyTrackerStore
from knowledge_base.db import session_factory
from knowledge_base.models import Rating

DAY = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def user(text, intent, confidence, channel, ts):
    return UserUttered(text, {"name": intent, "confidence": confidence},
                       parse_data={"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []},
                       input_channel=channel, timestamp=ts)


def turn(text, intent, confidence, channel, ts, action, status=None, procedure=None, reply="…", buttons=()):
    events = [user(text, intent, confidence, channel, ts), ActionExecuted(action, timestamp=ts + 1)]
    if procedure is not None or status == "answered":
        events.append(SlotSet("procedure_id", procedure, timestamp=ts + 1))
    if status:
        events.append(SlotSet("answer_status", status, timestamp=ts + 1))
    events.append(BotUttered(reply, {"buttons": [{"title": b, "payload": "/x"} for b in buttons]}, timestamp=ts + 2))
    events.append(ActionExecuted("action_listen", timestamp=ts + 3))
    return events


CONVERSATIONS = {
    "telegram:1": [*turn("làm hộ chiếu hết bao nhiêu tiền", "ask_fee", 0.97, "telegram", DAY.timestamp(),
                         "action_answer_procedure", "answered", "ho-chieu", "Lệ phí…", ("Hồ sơ", "Thời gian")),
                   *turn("cần giấy tờ gì", "ask_documents", 0.91, "telegram", DAY.timestamp() + 60,
                         "action_answer_procedure", "answered", "ho-chieu")],
    "rest-2": turn("asdfgh qwe", "nlu_fallback", 0.31, "rest", DAY.timestamp() + 100, "action_fallback",
                   "not_understood"),
    "zalo:3": [*turn("cấp phép bắn pháo hoa", "ask_procedure", 0.88, "zalo", DAY.timestamp() + 200,
                     "action_answer_procedure", "not_found"),
               *turn("xin cấp phép bắn pháo hoa", "ask_procedure", 0.86, "zalo", DAY.timestamp() + 300,
                     "action_answer_procedure", "not_found")],
    "web-4": turn("số cccd 001203004567 làm tạm trú", "ask_procedure", 0.55, "socketio", DAY.timestamp() + 400,
                  "action_answer_procedure", "answered", "tam-tru"),
}


def seed(database_url: str) -> str:
    """Conversations through the tracker store, plus ratings; returns the URL."""
    store = PrivacyTrackerStore(domain=Domain.empty(), url=database_url)
    for sender, events in CONVERSATIONS.items():
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    sessions = session_factory(database_url)
    with sessions() as session, session.begin():
        session.add_all([
            Rating(conversation_id="telegram:1", channel="telegram", procedure_id="ho-chieu", intent="ask_fee",
                   score=5, comment="nhanh", created_at=DAY),
            Rating(conversation_id="web-4", channel="socketio", procedure_id="tam-tru", score=2,
                   comment="khó hiểu, gọi [SĐT]", created_at=DAY),
            Rating(conversation_id="telegram:1", channel="telegram", procedure_id="ho-chieu", intent="ask_documents",
                   helpful=False, created_at=DAY.replace(minute=5)),
            Rating(conversation_id="web-4", channel="socketio", procedure_id="tam-tru", helpful=True, created_at=DAY),
        ])
    return database_url


@pytest.fixture
def seeded(database_url):
    return seed(database_url)
