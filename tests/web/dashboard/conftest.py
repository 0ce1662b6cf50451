"""A database seeded through Rasa's real SQL tracker store (our privacy subclass) plus answer feedback
and service surveys,
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

from actions.stores.tables import AnswerFeedback, ServiceSurvey
from bot.analytics_events import AnalyticsEvent, AnalyticsEventStore
from bot.event_broker import DatabaseEventBroker
from bot.tracker_store import PrivacyTrackerStore
from core.db import engine_for, session_factory
from web.tables import TrainingLabel

DAY = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def user(text, intent, confidence, channel, ts, message_id=None):
    return UserUttered(
        text,
        {"name": intent, "confidence": confidence},
        parse_data={"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []},
        input_channel=channel,
        timestamp=ts,
        message_id=message_id,
    )


def turn(
    text, intent, confidence, channel, ts, action, status=None, procedure=None, reply="…", buttons=(), message_id=None
):
    events = [user(text, intent, confidence, channel, ts, message_id), ActionExecuted(action, timestamp=ts + 1)]
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
            message_id="m-tg-1",
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
            message_id="m-tg-2",
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
        message_id="m-web-1",
    ),
}


def seed(database_url: str) -> str:
    """Conversations through the tracker store, plus 👍/👎 on three answers and two service surveys; returns the URL.

    A 👎 names its turn by the citizen message's id, as the action server stores it.
    """
    # As the Rasa server stores turns: the tracker store, with the broker that fills analytics_events.
    broker = DatabaseEventBroker(AnalyticsEventStore(engine_for(database_url)))
    store = PrivacyTrackerStore(domain=Domain.empty(), url=database_url, event_broker=broker)
    for sender, events in CONVERSATIONS.items():
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    sessions = session_factory(database_url)
    with sessions() as session, session.begin():
        session.add_all(
            [
                AnswerFeedback(
                    conversation_id="telegram:1",
                    turn_id="m-tg-1",
                    channel="telegram",
                    procedure_id="ho-chieu",
                    intent="ask_fee",
                    helpful=True,
                    created_at=DAY,
                    updated_at=DAY,
                ),
                AnswerFeedback(
                    conversation_id="telegram:1",
                    turn_id="m-tg-2",
                    channel="telegram",
                    procedure_id="ho-chieu",
                    intent="ask_documents",
                    helpful=False,
                    reason="missing_information",
                    created_at=DAY.replace(minute=5),
                    updated_at=DAY.replace(minute=5),
                ),
                AnswerFeedback(
                    conversation_id="web-4",
                    turn_id="m-web-1",
                    channel="socketio",
                    procedure_id="tam-tru",
                    intent="ask_procedure",
                    helpful=False,
                    reason="hard_to_understand",
                    comment="khó hiểu, gọi [SĐT]",
                    created_at=DAY.replace(minute=10),
                    updated_at=DAY.replace(minute=10),
                ),
                ServiceSurvey(
                    conversation_id="telegram:1",
                    session_key="s-1",
                    channel="telegram",
                    procedure_id="ho-chieu",
                    trigger="goodbye",
                    overall=5,
                    finding_information=4,
                    submitting_online=5,
                    time_as_promised=4,
                    cost_as_announced=5,
                    created_at=DAY.replace(minute=6),
                    updated_at=DAY.replace(minute=6),
                ),
                ServiceSurvey(
                    conversation_id="web-4",
                    session_key="s-4",
                    channel="socketio",
                    procedure_id="tam-tru",
                    trigger="idle",
                    overall=2,
                    finding_information=1,
                    created_at=DAY.replace(minute=12),
                    updated_at=DAY.replace(minute=12),
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
    """The hostile events, plus feedback, a survey out of range and a training label with formulas and control
    characters."""
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
                AnswerFeedback(
                    conversation_id=f"rest-formula-{i}",
                    turn_id=f"formula-{i}",
                    channel="rest",
                    helpful=False,
                    comment=text,
                    created_at=DAY,
                    updated_at=DAY,
                )
                for i, text in enumerate(FORMULAS)
            ]
        )
        session.add(
            AnswerFeedback(
                conversation_id="rest-hostile",
                turn_id="\x00",
                channel="rest",
                helpful=False,
                reason="<script>",
                comment="chậm\x00 quá",
                created_at=DAY + timedelta(hours=1),
                updated_at=DAY + timedelta(hours=1),
            )
        )
        session.add(
            ServiceSurvey(
                conversation_id="rest-hostile",
                session_key="x",
                channel="rest",
                trigger="\x07",
                overall=9,
                cost_as_announced=0,
                created_at=DAY + timedelta(hours=1),
                updated_at=DAY + timedelta(hours=1),
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
