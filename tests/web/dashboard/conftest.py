"""A database seeded through Rasa's real SQL tracker store (our privacy subclass) plus ratings,
hostile rows written straight into its tables, and logging in to the dashboard as a browser does."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from datetime import datetime, timedelta, timezone
from typing import List, Optional, Tuple

import pytest
import requests
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import insert

from actions.stores.tables import Rating
from bot.analytics_events import AnalyticsEvent, AnalyticsEventStore
from bot.event_broker import DatabaseEventBroker
from bot.tracker_store import PrivacyTrackerStore
from core.db import engine_for, session_factory
from web.tables import TrainingLabel

DAY = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def user(text, intent, confidence, channel, ts):
    return UserUttered(
        text,
        {"name": intent, "confidence": confidence},
        parse_data={"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []},
        input_channel=channel,
        timestamp=ts,
    )


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
    "telegram:1": [
        *turn(
            "làm hộ chiếu hết bao nhiêu tiền",
            "ask_fee",
            0.97,
            "telegram",
            DAY.timestamp(),
            "action_answer_procedure",
            "answered",
            "ho-chieu",
            "Lệ phí…",
            ("Hồ sơ", "Thời gian"),
        ),
        *turn(
            "cần giấy tờ gì",
            "ask_documents",
            0.91,
            "telegram",
            DAY.timestamp() + 60,
            "action_answer_procedure",
            "answered",
            "ho-chieu",
        ),
    ],
    "rest-2": turn(
        "asdfgh qwe", "nlu_fallback", 0.31, "rest", DAY.timestamp() + 100, "action_fallback", "not_understood"
    ),
    "zalo:3": [
        *turn(
            "cấp phép bắn pháo hoa",
            "ask_procedure",
            0.88,
            "zalo",
            DAY.timestamp() + 200,
            "action_answer_procedure",
            "not_found",
        ),
        *turn(
            "xin cấp phép bắn pháo hoa",
            "ask_procedure",
            0.86,
            "zalo",
            DAY.timestamp() + 300,
            "action_answer_procedure",
            "not_found",
        ),
    ],
    "web-4": turn(
        "số cccd 001203004567 làm tạm trú",
        "ask_procedure",
        0.55,
        "socketio",
        DAY.timestamp() + 400,
        "action_answer_procedure",
        "answered",
        "tam-tru",
    ),
}


def seed(database_url: str) -> str:
    """Conversations through the tracker store, plus ratings; returns the URL."""
    # As the Rasa server stores turns: the tracker store, with the broker that fills analytics_events.
    broker = DatabaseEventBroker(AnalyticsEventStore(engine_for(database_url)))
    store = PrivacyTrackerStore(domain=Domain.empty(), url=database_url, event_broker=broker)
    for sender, events in CONVERSATIONS.items():
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    sessions = session_factory(database_url)
    with sessions() as session, session.begin():
        session.add_all(
            [
                Rating(
                    conversation_id="telegram:1",
                    channel="telegram",
                    procedure_id="ho-chieu",
                    intent="ask_fee",
                    score=5,
                    comment="nhanh",
                    created_at=DAY,
                ),
                Rating(
                    conversation_id="web-4",
                    channel="socketio",
                    procedure_id="tam-tru",
                    score=2,
                    comment="khó hiểu, gọi [SĐT]",
                    created_at=DAY,
                ),
                Rating(
                    conversation_id="telegram:1",
                    channel="telegram",
                    procedure_id="ho-chieu",
                    intent="ask_documents",
                    helpful=False,
                    created_at=DAY.replace(minute=5),
                ),
                Rating(
                    conversation_id="web-4", channel="socketio", procedure_id="tam-tru", helpful=True, created_at=DAY
                ),
            ]
        )
    return database_url


@pytest.fixture
def seeded(database_url):
    return seed(database_url)


FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)"]


def hostile_events() -> List[Tuple[str, str, Optional[float], Optional[str]]]:
    """(sender, type, timestamp, data) rows a REST client can make Rasa store, and worse."""
    t = DAY.timestamp() + 1000

    def event(**data) -> str:
        return json.dumps(data)  # as Rasa stores it: \u0000 and lone surrogates escaped

    rows = [
        (
            "rest-hostile",
            "user",
            t,
            event(
                event="user",
                text="giấy\x00 tờ\x07 gì",
                input_channel={"a": 1},
                parse_data={"intent": {"name": {"x": 1}, "confidence": "cao"}},
            ),
        ),
        ("rest-hostile", "slot", t + 1, event(event="slot", name="procedure_id", value={"a": [1]})),
        ("rest-hostile", "slot", t + 1, event(event="slot", name="answer_status", value=["not_found"])),
        ("rest-hostile", "action", t + 1, event(event="action", name={"n": 1})),
        ("rest-hostile", "bot", t + 2, event(event="bot", text=5, data="not an object")),
        ("rest-hostile", "bot", t + 2, event(event="bot", text="ok", data={"buttons": [1, {"title": {"t": 1}}]})),
        (
            "rest-hostile",
            "user",
            t + 3,
            event(
                event="user",
                text="câu hỏi\x00 lạ\ud800",
                input_channel=7,
                parse_data={"intent": {"name": "nlu_fallback", "confidence": float("inf")}},
            ),
        ),
        ("rest-hostile", "user", t + 4, event(event="user", text=["a"], parse_data=[1, 2])),
        ("rest-hostile", "user", t + 5, "not json {"),
        ("rest-hostile", "user", 1e20, event(event="user", text="không có thời điểm")),  # no calendar has it
        ("rest-\x01ctl", "user", t + 7, event(event="user", text="tab\tvà\r\nxuống dòng", input_channel="rest")),
    ]
    rows += [
        (
            f"rest-formula-{i}",
            "user",
            t + 10 + i,
            event(
                event="user",
                text=text,
                input_channel="rest",
                parse_data={"intent": {"name": "nlu_fallback", "confidence": 0.2}},
            ),
        )
        for i, text in enumerate(FORMULAS)
    ]
    return rows


def add_hostile_rows(url: str) -> None:
    """The hostile events, plus ratings and a training label with formulas and control characters."""
    engine = engine_for(url)
    with engine.begin() as connection:
        connection.execute(
            insert(AnalyticsEvent),
            [
                {
                    "digest": hashlib.sha256(f"{sender}|{ts}|{data}".encode()).hexdigest(),
                    "sender_id": sender,
                    "type_name": kind,
                    "timestamp": ts,
                    "data": data,
                }
                for sender, kind, ts, data in hostile_events()
            ],
        )
    with session_factory(url)() as session, session.begin():
        session.add_all(
            [
                Rating(conversation_id=f"rest-formula-{i}", channel="rest", score=1, comment=text, created_at=DAY)
                for i, text in enumerate(FORMULAS)
            ]
        )
        session.add(
            Rating(
                conversation_id="rest-hostile",
                channel="rest",
                score=1,
                comment="chậm\x00 quá",
                created_at=DAY + timedelta(hours=1),
            )
        )
        session.add(
            TrainingLabel(
                event_id=10**6,
                sender_id="rest-hostile",
                text="giấy\x00 tờ gì",
                intent="ask_documents",
                labelled_by="quantri",
            )
        )


def login_form_token(client: requests.Session, base: str) -> str:
    """Open the log-in form as a browser does: its cookie lands in ``client``, its CSRF token is returned."""
    form = client.get(f"{base}/review/login")
    assert form.status_code == 200, form.text[:300]
    return re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)


def login(base: str, username: str, password: str) -> requests.Session:
    """A client logged in to the dashboard at ``base``."""
    client = requests.Session()
    answer = client.post(
        f"{base}/review/login",
        data={"username": username, "password": password, "next": "/review/", "csrf": login_form_token(client, base)},
    )
    assert answer.status_code == 200 and answer.url.endswith("/review/"), answer.text[:300]
    return client
