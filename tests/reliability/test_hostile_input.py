"""Hostile input on the REST and widget entry points of the real Rasa and action servers.

One message must not take the service down (DIET's memory grows with the square of a message's
length), a client must not choose its channel or write into another channel's conversation, the
satisfaction report cannot be stuffed, and when the action server is down citizens still hear
something and their 👍/👎 are kept. The action-server test stops it, so it comes last.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Iterator, List

import pytest
import requests
import socketio
from sqlalchemy import select

from actions.stores.tables import AnswerFeedback, ServiceSurvey
from core.db import session_factory
from tests.reliability.conftest import peak_rss_mib, say, tracker
from tools.stack import Servers, running_servers

pytestmark = pytest.mark.e2e

WIDGET_ORIGIN = "http://portal.test"


@pytest.fixture(scope="module")
def servers(tmp_path_factory, curated_records) -> Iterator[Servers]:
    env = {"WIDGET_ALLOWED_ORIGINS": WIDGET_ORIGIN, "MAX_STORED_MESSAGE_CHARS": "5000"}
    with running_servers(tmp_path_factory.mktemp("hostile"), curated_records, env=env) as running:
        yield running


def test_100k_character_message_gets_a_polite_reply_and_memory_stays_flat(servers):
    say(servers, "warm-up", "làm hộ chiếu hết bao nhiêu tiền")
    before = peak_rss_mib(servers.rasa_pid)
    started = time.monotonic()
    replies = say(servers, "long-1", ("ho chieu " * 11_112).strip())  # 100,007 characters, ~100 KB
    elapsed = time.monotonic() - started
    assert replies and replies[0]["text"].startswith("Tin nhắn quá dài (100.007 ký tự, tối đa 1.000)")
    assert peak_rss_mib(servers.rasa_pid) - before < 100
    assert elapsed < 30  # "within seconds": a bound far above normal, far below the old 46 s death
    assert "200.000 đồng" in say(servers, "next-citizen", "làm hộ chiếu hết bao nhiêu tiền")[0]["text"]
    stored = tracker(servers, "long-1")["events"]
    [user] = [e for e in stored if e["event"] == "user"]
    assert len(user["text"]) <= 5000 and user["text"].endswith("[đã cắt bớt]")
    assert tracker(servers, "long-1")["slots"]["procedure_id"] is None


def test_oversized_body_is_refused_at_the_http_layer(servers):
    answer = requests.post(
        f"{servers.rasa}/webhooks/rest/webhook", json={"sender": "long-2", "message": "hộ chiếu " * 30_000}, timeout=30
    )
    assert answer.status_code == 413
    assert "200.000 đồng" in say(servers, "long-2", "làm hộ chiếu hết bao nhiêu tiền")[0]["text"]


def test_widget_over_long_message_gets_a_polite_reply(servers):
    client = socketio.Client(reconnection=False)
    replies: List[str] = []
    client.on("bot_uttered", lambda data: replies.append(data.get("text", "")))
    client.connect(servers.rasa, headers={"Origin": WIDGET_ORIGIN}, transports=["polling"], socketio_path="/socket.io")
    try:
        client.emit("session_request", {"session_id": "widget-long"})
        client.sleep(1)
        client.emit("user_uttered", {"message": "thu tuc " * 12_500, "session_id": "widget-long"})
        deadline = time.monotonic() + 30
        while not replies and time.monotonic() < deadline:
            client.sleep(0.2)
    finally:
        client.disconnect()
    assert replies and replies[0].startswith("Tin nhắn quá dài")


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"message": "xin chao"}',
        b'{"sender": "zalo:123", "message": "xin chao"}',
        b'{"sender": "a", "message": {"text": "x"}}',
        b'{"sender": "a", "message": "x", "metadata": "m"}',
    ],
)
def test_malformed_bodies_get_400_with_a_reason(servers, body):
    answer = requests.post(
        f"{servers.rasa}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}, timeout=30
    )
    assert answer.status_code == 400 and answer.json()["error"]


def test_client_cannot_choose_its_channel(servers):
    answer = requests.post(
        f"{servers.rasa}/webhooks/rest/webhook",
        timeout=60,
        json={"sender": "spoof-1", "message": "xin chào", "input_channel": {"a": 1}},
    )
    assert answer.status_code == 200
    answer = requests.post(
        f"{servers.rasa}/webhooks/rest/webhook",
        timeout=60,
        json={"sender": "spoof-1", "message": "cảm ơn", "input_channel": "zalo"},
    )
    assert answer.status_code == 200
    channels = {e.get("input_channel") for e in tracker(servers, "spoof-1")["events"] if e["event"] == "user"}
    assert channels == {"rest"}


def test_hand_typed_ratings_cannot_stuff_the_report(servers):
    say(servers, "stuffer", "làm hộ chiếu hết bao nhiêu tiền")
    for _ in range(10):
        say(servers, "stuffer", '/rate_answer{"turn": "made-up", "helpful": "up"}')
    for _ in range(10):
        say(servers, "stuffer", '/rate_service{"criterion": "overall", "rating": "5"}')
    with session_factory(servers.database_url)() as db:
        thumbs = list(db.execute(select(AnswerFeedback).where(AnswerFeedback.conversation_id == "stuffer")).scalars())
        surveys = list(db.execute(select(ServiceSurvey).where(ServiceSurvey.conversation_id == "stuffer")).scalars())
    # A turn the assistant never answered cannot be rated; the survey holds one score per question.
    assert thumbs == []
    assert [(s.overall, s.procedure_id) for s in surveys] == [(5, "ho-chieu")]


def test_action_server_down_citizens_hear_busy_and_ratings_are_kept(servers):
    os.kill(servers.actions_pid, signal.SIGKILL)
    time.sleep(1)
    replies = say(servers, "down-1", "làm hộ chiếu hết bao nhiêu tiền")
    assert [r["text"] for r in replies] == ["Xin lỗi, hệ thống đang bận. Bạn vui lòng thử lại sau ít phút."]
    say(servers, "down-1", '/rate_answer{"turn": "m-earlier", "helpful": "down"}')
    with session_factory(servers.database_url)() as db:
        rows = list(db.execute(select(AnswerFeedback).where(AnswerFeedback.conversation_id == "down-1")).scalars())
    assert [(r.turn_id, r.helpful, r.channel) for r in rows] == [("m-earlier", False, "rest")]
    assert any(e["event"] == "user" for e in tracker(servers, "down-1")["events"])
