"""Zalo OA channel end to end: real Rasa + action server, the real channel code, a fake OpenAPI."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterator, List

import pytest
import requests
from sqlalchemy import select

from bot.channels import zalo as zalo_channel
from bot.channels.tables import OAuthToken
from bot.channels.turns import BUSY_REPLY
from bot.channels.zalo import ZaloInput
from core.db import session_factory
from core.settings import ZaloSettings
from tests.bot.channels.conftest import outbox_rows, user_texts
from tests.fakes.zalo_api import FakeZaloApi, signed_event, text_event
from tools.stack import TOKEN, running_servers

pytestmark = pytest.mark.e2e

APP_ID, OA_SECRET, APP_SECRET = "app-123", "oa-secret-key", "app-secret"


@pytest.fixture(scope="module")
def zalo(tmp_path_factory, curated_records) -> Iterator[Dict]:
    fake = FakeZaloApi(APP_ID, APP_SECRET, access_token="access-1", refresh_token="refresh-1").start()
    env = {
        "ZALO_APP_ID": APP_ID,
        "ZALO_OA_SECRET_KEY": OA_SECRET,
        "ZALO_APP_SECRET": APP_SECRET,
        "ZALO_ACCESS_TOKEN": "expired-access",
        "ZALO_REFRESH_TOKEN": "refresh-1",
        "ZALO_API_BASE_URL": fake.url,
        "ZALO_OAUTH_BASE_URL": fake.url,
        "OUTBOX_RETRY_SECONDS": "1",
    }
    try:
        with running_servers(tmp_path_factory.mktemp("zalo"), curated_records, env) as servers:
            yield {"fake": fake, "servers": servers, "webhook": f"{servers.rasa}/webhooks/zalo/webhook"}
    finally:
        fake.stop()


def send(zalo, event, headers=None, body=None):
    signed_body, signed_headers = signed_event(APP_ID, OA_SECRET, event)
    return requests.post(
        zalo["webhook"],
        data=body if body is not None else signed_body,
        headers=headers if headers is not None else signed_headers,
        timeout=30,
    )


def wait_for_messages(fake, user_id, count=1, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        messages = fake.messages_to(user_id)
        if len(messages) >= count:
            return messages
        time.sleep(0.3)
    return fake.messages_to(user_id)


def test_expired_token_refreshed_once_persisted_and_send_retried(zalo):
    fake = zalo["fake"]
    with ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(
                lambda uid: send(zalo, text_event(APP_ID, uid, "làm hộ chiếu hết bao nhiêu tiền")),
                ["u-1", "u-2", "u-3"],
            )
        )
    assert [a.status_code for a in answers] == [200, 200, 200]
    for user_id in ["u-1", "u-2", "u-3"]:
        messages = wait_for_messages(fake, user_id, 1)
        assert "200.000 đồng" in messages[0]["text"]
    assert fake.refreshes == 1, "concurrent sends must not burn the single-use refresh token twice"
    with session_factory(zalo["servers"].database_url)() as session:
        [row] = session.execute(select(OAuthToken)).scalars().all()
    assert (row.access_token, row.refresh_token) == (fake.access_token, fake.refresh_token) == ("access-2", "refresh-2")


def test_buttons_are_query_buttons_and_a_tap_is_answered(zalo):
    fake = zalo["fake"]
    send(zalo, text_event(APP_ID, "u-4", "đăng ký tạm trú cần giấy tờ gì"))
    first = wait_for_messages(fake, "u-4", 1)[0]
    assert first["text"].startswith("Hồ sơ cần chuẩn bị – Đăng ký tạm trú")
    buttons = first["attachment"]["payload"]["buttons"]
    assert {b["type"] for b in buttons} == {"oa.query.hide"}
    assert [b["title"] for b in buttons][-2:] == ["👍", "👎"]  # on the answer itself, kept within Zalo's five
    fee = next(b for b in buttons if b["title"] == "Lệ phí")
    send(zalo, text_event(APP_ID, "u-4", fee["payload"]))
    messages = wait_for_messages(fake, "u-4", 2)
    assert messages[1]["text"].startswith("Lệ phí – Đăng ký tạm trú") and "15.000 đồng" in messages[1]["text"]


def test_rasa_can_message_a_zalo_user_unprompted(zalo):
    """The path of the idle survey and of an invitation after a completed dossier (trigger_intent)."""
    fake, rasa = zalo["fake"], zalo["servers"].rasa
    send(zalo, text_event(APP_ID, "u-unprompted", "đăng ký tạm trú cần giấy tờ gì"))
    assert len(wait_for_messages(fake, "u-unprompted", 1)) == 1
    answer = requests.post(
        f"{rasa}/conversations/zalo:u-unprompted/trigger_intent",
        params={"token": TOKEN, "output_channel": "zalo"},
        json={"name": "end_conversation", "entities": {"trigger": "idle"}},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    messages = wait_for_messages(fake, "u-unprompted", 3)
    assert messages[1]["text"].startswith('Bạn vừa hỏi về thủ tục "Đăng ký tạm trú"')
    assert messages[2]["text"].startswith("(1/5)")
    # Zalo shows five buttons: the scores; "bỏ qua" can still be typed.
    assert [b["title"] for b in messages[2]["attachment"]["payload"]["buttons"]] == ["1", "2", "3", "4", "5"]


def test_unsigned_wrong_and_stale_events_are_refused_and_nothing_sent(zalo):
    fake = zalo["fake"]
    event = text_event(APP_ID, "u-5", "xin chào")
    body, headers = signed_event(APP_ID, OA_SECRET, event)
    assert send(zalo, event, headers={"Content-Type": "application/json"}).status_code == 401
    assert send(zalo, event, headers={**headers, "X-ZEvent-Signature": "mac=" + "0" * 64}).status_code == 403
    tampered = body.replace("xin chào".encode(), "tạm biệt".encode())
    assert send(zalo, event, headers=headers, body=tampered).status_code == 403
    stale = text_event(APP_ID, "u-5", "xin chào", timestamp_ms=int((time.time() - 3600) * 1000))
    assert send(zalo, stale).status_code == 403
    time.sleep(2)
    assert fake.messages_to("u-5") == []


def test_follow_greets_and_non_text_gets_a_polite_reply(zalo):
    fake = zalo["fake"]
    now = str(int(time.time() * 1000))
    send(
        zalo,
        {
            "app_id": APP_ID,
            "event_name": "follow",
            "timestamp": now,
            "follower": {"id": "u-6"},
            "oa_id": "oa-1",
            "source": "oa_profile",
            "user_id_by_app": "x",
        },
    )
    greeting = wait_for_messages(fake, "u-6")[0]
    assert greeting["text"].startswith("Xin chào!")
    topics = [b["title"] for b in greeting["attachment"]["payload"]["buttons"]]
    assert len(topics) == 5 and {"Hướng dẫn dịch vụ công trực tuyến", "Gặp cán bộ"} <= set(topics)
    send(
        zalo,
        {
            "app_id": APP_ID,
            "event_name": "user_send_sticker",
            "timestamp": now,
            "sender": {"id": "u-7"},
            "recipient": {"id": "oa-1"},
            "message": {"msg_id": "s1", "attachments": [{"type": "sticker"}]},
        },
    )
    assert wait_for_messages(fake, "u-7")[0]["text"].startswith("Xin lỗi, hiện tôi chỉ đọc được tin nhắn chữ")


def test_duplicate_event_processed_once(zalo):
    event = text_event(APP_ID, "u-8", "cảm ơn")
    assert send(zalo, event).status_code == 200
    assert send(zalo, event).status_code == 200
    time.sleep(3)
    assert len(wait_for_messages(zalo["fake"], "u-8")) == 1


@pytest.mark.parametrize("outage", ["http-502", "unreachable"])
def test_openapi_outage_keeps_the_turn_and_the_reply_is_delivered_later(zalo, outage):
    fake, rasa, database_url = zalo["fake"], zalo["servers"].rasa, zalo["servers"].database_url
    user_id, question = f"u-{outage}", "làm hộ chiếu hết bao nhiêu tiền"
    if outage == "http-502":
        fake.failure_status = 502
    else:
        fake.unreachable = True
    try:
        assert send(zalo, text_event(APP_ID, user_id, question)).status_code == 200
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not user_texts(rasa, f"zalo:{user_id}"):
            time.sleep(0.5)
        assert user_texts(rasa, f"zalo:{user_id}") == [question], "the turn must be stored"
        kept = outbox_rows(database_url, f"zalo:{user_id}")
        assert kept and all(row.delivered_at is None for row in kept), "the tracker is saved after the sends"
        assert "200.000 đồng" in kept[0].body["text"] and kept[0].last_error
        assert fake.messages_to(user_id) == []
    finally:
        fake.failure_status, fake.unreachable = None, False
    messages = wait_for_messages(fake, user_id, len(kept))
    assert [m["text"] for m in messages] == [row.body["text"] for row in kept], "each reply once, in order"
    assert messages[0]["attachment"]["payload"]["buttons"]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(
        row.delivered_at is None for row in outbox_rows(database_url, f"zalo:{user_id}")
    ):
        time.sleep(0.3)
    assert all(row.delivered_at is not None for row in outbox_rows(database_url, f"zalo:{user_id}"))


def test_unauthenticated_malformed_timestamp_is_refused_with_400(zalo):
    headers = {"X-ZEvent-Signature": "mac=" + "0" * 64, "Content-Type": "application/json"}
    for body in (
        b'{"timestamp": 1' + b"0" * 400 + b"}",
        b'{"timestamp": "soon"}',
        b'{"timestamp": 1e999}',
        b"[1, 2]",
        b"\xff\xfe",
        b"[" * 100_000,
    ):
        assert requests.post(zalo["webhook"], data=body, headers=headers, timeout=30).status_code == 400, body[:40]


def test_non_ascii_signature_is_refused_with_403(zalo):
    event = text_event(APP_ID, "u-9", "xin chào")
    _, headers = signed_event(APP_ID, OA_SECRET, event)
    assert send(zalo, event, headers={**headers, "X-ZEvent-Signature": "mac=sécret"}).status_code == 403
    assert zalo["fake"].messages_to("u-9") == []


class StubRequest:
    """What the webhook handler reads of a Sanic request."""

    def __init__(self, event: Dict[str, Any]) -> None:
        self.body, self.headers = signed_event(APP_ID, OA_SECRET, event)


def channel_fake(channel: ZaloInput) -> FakeZaloApi:
    return channel.fake  # type: ignore[attr-defined]


@pytest.fixture
def channel(database_url, monkeypatch) -> Iterator[ZaloInput]:
    """The real channel on the test's database and a fake OpenAPI, without a Rasa server."""
    fake = FakeZaloApi(APP_ID, APP_SECRET, access_token="access-1", refresh_token="refresh-1").start()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr(zalo_channel, "backoff", lambda attempt: 0.01)
    channel = ZaloInput(
        ZaloSettings(
            app_id=APP_ID,
            oa_secret_key=OA_SECRET,
            app_secret=APP_SECRET,
            access_token="access-1",
            refresh_token="refresh-1",
            api_base_url=fake.url,
            oauth_base_url=fake.url,
        )
    )
    channel.fake = fake  # type: ignore[attr-defined]
    yield channel
    fake.stop()


@pytest.mark.parametrize(
    "event",
    [
        {"event_name": "user_send_text", "message": {"text": "xin chào", "msg_id": "m1"}},
        {"event_name": "user_send_text", "sender": {"id": None}, "message": {"text": "xin chào"}},
        {"event_name": "user_send_text", "sender": "u-1", "message": {"text": "xin chào"}},
        {"event_name": "user_send_text", "sender": {"id": "u-1"}, "message": "xin chào"},
        {"event_name": "user_send_text", "sender": {"id": "u-1:telegram"}, "message": {"text": "xin chào"}},
        {"event_name": "follow", "follower": {}},
        {"event_name": "user_send_image"},
        {"event_name": ["user_send_text"], "sender": {"id": "u-1"}},
    ],
)
def test_malformed_authentic_event_is_logged_and_ignored(channel, event, caplog):
    caplog.set_level(logging.INFO, logger="bot.channels.zalo")
    turns: List[Any] = []

    async def on_new_message(message) -> None:
        turns.append(message)

    asyncio.run(channel.handle(event, on_new_message))
    assert turns == []
    assert "zalo.malformed" in caplog.text or "zalo.ignored" in caplog.text
    assert "xin chào" not in caplog.text


def test_event_whose_turn_failed_is_retried_logged_by_id_and_processed_when_delivered_again(channel, caplog):
    caplog.set_level(logging.INFO, logger="bot.channels.zalo")
    event = text_event(APP_ID, "u-10", "số tôi là 0912 345 678")
    turns: List[str] = []

    async def on_new_message(message) -> None:
        turns.append(message.sender_id)
        if len(turns) <= zalo_channel.TURN_ATTEMPTS:
            raise RuntimeError(f"tracker store unreachable while saving {message.text}")
        await message.output_channel.send_response(message.sender_id, {"text": "Đã ghi nhận."})

    receive = next(
        route.handler for route in channel.blueprint(on_new_message)._future_routes if route.uri == "/webhook"
    )

    async def deliver() -> Dict[str, Any]:
        answer = await receive(StubRequest(event))
        await asyncio.gather(*channel._tasks)
        return json.loads(answer.body)

    async def deliver_three_times() -> List[Dict[str, Any]]:
        return [await deliver() for _ in range(3)]

    assert asyncio.run(deliver_three_times()) == [{"status": "ok"}, {"status": "ok"}, {"status": "duplicate"}]
    assert turns == ["zalo:u-10"] * (zalo_channel.TURN_ATTEMPTS + 1), "retried, then processed on redelivery"
    assert "zalo.turn.failed conversation=zalo:u-10 attempt=1" in caplog.text
    assert f"zalo.event.failed event=user_send_text msg_id={event['message']['msg_id']} sender=u-10" in caplog.text
    assert "0912" not in caplog.text and "số tôi" not in caplog.text
    assert [m["text"] for m in channel_fake(channel).messages_to("u-10")] == [BUSY_REPLY, "Đã ghi nhận."], (
        "the citizen hears 'busy' once all attempts failed (Zalo never delivers an event again by itself)"
    )
