"""The messenger channels' own logic, without servers: ids, commands, splitting, buttons, signatures,
delivery bookkeeping (the channels' behaviour over HTTP is in test_telegram.py and test_zalo.py)."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any, Dict, List, Tuple

import pytest
from telegram import Bot

from actions.base import feedback_buttons
from bot.channels.callback_store import CallbackStore
from bot.channels.messages import RecentDeliveries, backoff, split_text
from bot.channels.messenger import MessengerOutput, conversation_id, messenger_id_of
from bot.channels.outbox import Courier, OutboxStore
from bot.channels.telegram import TelegramOutput, command_text, keyboard_rows
from bot.channels.zalo import BUTTON_PAYLOAD_LIMIT, MAX_BUTTONS, TEXT_LIMIT, ZaloOutput, sender_of, signature
from core.db import session_factory


def test_conversation_ids_carry_the_channel_and_give_the_messenger_id_back():
    assert conversation_id("telegram", 12345) == "telegram:12345"
    assert messenger_id_of("telegram:12345") == "12345"
    assert messenger_id_of("zalo:84a:b") == "84a:b", "only the channel prefix is removed"


@pytest.mark.parametrize(
    "typed, read",
    [
        ("/start", "/greet"),
        ("/start@CongDichVuBot", "/greet"),
        ("/START", "/greet"),
        ("/help", "/help"),
        ("/help@CongDichVuBot thêm chữ", "/help"),
        ("/khaisinh", "/khaisinh"),
        ("làm hộ chiếu /start", "làm hộ chiếu /start"),
    ],
)
def test_telegram_commands_become_intents_and_other_text_is_kept(typed, read):
    assert command_text(typed) == read


def test_long_answers_are_split_at_line_then_word_boundaries_within_the_limit():
    text = ("dòng rất dài " * 500 + "\n") * 3
    parts = split_text(text, 4096)
    assert len(parts) > 1 and all(len(part) <= 4096 for part in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    zalo = split_text("chữ " * 1500, TEXT_LIMIT)
    assert all(len(part) <= 2000 for part in zalo) and len(zalo) == 3
    assert split_text("", 10) == [""], "an empty answer is one (empty) message, not none"


def test_retry_delays_grow_and_are_capped():
    assert [backoff(attempt) for attempt in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0]


def test_recent_deliveries_count_only_finished_messages():
    recent = RecentDeliveries(size=2)
    assert recent.begin(1) and not recent.begin(1), "a delivery in progress is not started twice"
    assert not recent.processed(1)
    recent.abandon(1)
    assert recent.begin(1), "a failed delivery is processed again"
    recent.finish(1)
    assert not recent.begin(1) and recent.processed(1)
    for key in (2, 3):
        recent.begin(key)
        recent.finish(key)
    assert recent.begin(1), "only the last `size` keys are remembered"


def test_zalo_signature_is_the_documented_sha256():
    body = '{"timestamp": "1700000000000", "message": {"text": "xin chào"}}'.encode()
    expected = hashlib.sha256(b"app" + body + b"1700000000000" + b"oa-key").hexdigest()
    assert signature("app", body, "1700000000000", "oa-key") == expected
    assert signature("app", body, "1700000000001", "oa-key") != expected


@pytest.mark.parametrize(
    "event, sender",
    [
        ({"event_name": "user_send_text", "sender": {"id": "8400123"}}, "8400123"),
        ({"event_name": "follow", "follower": {"id": "8400123"}}, "8400123"),
        ({"event_name": "user_send_text", "sender": {"id": 8400123}}, "8400123"),
        ({"event_name": "user_send_text", "sender": {"id": True}}, None),
        ({"event_name": "user_send_text", "sender": {"id": "../../etc"}}, None),
        ({"event_name": "user_send_text", "sender": "8400123"}, None),
        ({"event_name": "user_send_text"}, None),
    ],
)
def test_zalo_sender_is_read_defensively(event, sender):
    assert sender_of(event) == sender


def test_telegram_buttons_keep_short_payloads_and_store_long_ones(database_url):
    store = CallbackStore(session_factory(database_url))
    output = TelegramOutput(bot=Bot("123:test"), callbacks=store, outbox=OutboxStore(session_factory(database_url)))
    short = '/rate_service{"rating": "4"}'
    long = '/ask_processing_time{"procedure": "xac-nhan-tinh-trang-hon-nhan"}'
    body = output.with_buttons(
        "Bạn hỏi về thủ tục nào?", [{"title": "A", "payload": short}, {"title": "B", "payload": long}]
    )
    assert body["text"] == "Bạn hỏi về thủ tục nào?"
    assert body["buttons"][0] == {"text": "A", "callback_data": short}
    key = body["buttons"][1]["callback_data"]
    assert len(key.encode()) <= 64 and key == output.callback_data(long)
    assert CallbackStore(session_factory(database_url)).payload_for(key) == long
    assert store.payload_for("k:unknown") is None


def test_zalo_buttons_are_query_buttons_within_zalos_limits(database_url):
    output = ZaloOutput(client=None, outbox=OutboxStore(session_factory(database_url)))
    buttons = [{"title": f"Thủ tục số {n} " * 10, "payload": f'/ask_fee{{"procedure": "p{n}"}}'} for n in range(8)]
    buttons.insert(1, {"title": "quá dài", "payload": "/x" + "y" * BUTTON_PAYLOAD_LIMIT})
    body = output.with_buttons("Chọn thủ tục:", buttons)
    shown = body["attachment"]["payload"]["buttons"]
    assert len(shown) == MAX_BUTTONS
    assert all(button["type"] == "oa.query.hide" and len(button["payload"]) <= BUTTON_PAYLOAD_LIMIT for button in shown)
    assert "quá dài" not in [button["title"] for button in shown]
    assert output.with_buttons("Không có nút", []) == {"text": "Không có nút"}


def test_zalo_keeps_the_thumbs_of_an_answer_when_it_must_cut():
    output = ZaloOutput(client=None, outbox=None)
    buttons = [{"title": f"Mục {n}", "payload": f"/ask_guide{{{n}}}"} for n in range(6)] + feedback_buttons("m1")
    shown = [b["title"] for b in output.with_buttons("Trả lời", buttons)["attachment"]["payload"]["buttons"]]
    assert shown == ["Mục 0", "Mục 1", "Mục 2", "👍", "👎"]


def test_telegram_lays_short_buttons_side_by_side():
    def titled(*titles):
        return [{"text": title, "callback_data": title} for title in titles]

    rows = keyboard_rows(titled("Hồ sơ", "Thời gian", "👍", "👎"))
    assert [[b["text"] for b in row] for row in rows] == [["Hồ sơ"], ["Thời gian"], ["👍", "👎"]]
    rows = keyboard_rows(titled("1", "2", "3", "4", "5", "Bỏ qua"))
    assert [[b["text"] for b in row] for row in rows] == [["1", "2", "3", "4", "5"], ["Bỏ qua"]]
    rows = keyboard_rows(titled(*[str(n) for n in range(1, 8)]))
    assert [len(row) for row in rows] == [5, 2]


class RecordingOutput(MessengerOutput):
    """A messenger whose API is a list: what the shared base sends, in order."""

    channel = "test"
    text_limit = 20

    def __init__(self, outbox: OutboxStore) -> None:
        self.sent: List[Tuple[str, Dict[str, Any]]] = []

        async def send(recipient: str, body: Dict[str, Any]) -> None:
            self.sent.append((recipient, body))

        super().__init__(Courier(self.channel, send, outbox))

    def with_buttons(self, text: str, buttons: List[Dict[str, Any]]) -> Dict[str, Any]:
        return {"text": text, "buttons": [button["title"] for button in buttons]}


def test_the_shared_base_splits_and_puts_buttons_under_the_last_part(database_url):
    output = RecordingOutput(OutboxStore(session_factory(database_url)))
    assert RecordingOutput.name() == "test"
    text = "một hai ba bốn năm sáu bảy tám chín mười"
    asyncio.run(output.send_text_with_buttons("test:1", text, [{"title": "Có"}]))
    assert output.sent == [
        ("test:1", {"text": "một hai ba bốn năm"}),
        ("test:1", {"text": "sáu bảy tám chín"}),
        ("test:1", {"text": "mười", "buttons": ["Có"]}),
    ]
