"""Telegram channel end to end: real Rasa + action server, the real channel code, a fake Bot API."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from typing import Any, Dict, Iterator, List, Optional

import pytest
import requests

from bot.channels import telegram as telegram_channel
from bot.channels.messages import SEND_ATTEMPTS
from bot.channels.outbox import OutboxStore
from bot.channels.telegram import TelegramInput
from core.db import session_factory
from core.settings import TelegramSettings
from tests.bot.channels.conftest import outbox_rows, telegram_stack, user_texts
from tests.conftest import ROOT
from tests.fakes.telegram_api import FakeTelegramApi, callback_update, sticker_update, text_update

pytestmark = pytest.mark.e2e

BOT_TOKEN = "123456:TEST-token"
SECRET = "s3cret-webhook-token"
WEBHOOK_URL = "https://portal.example.gov.vn/webhooks/telegram/webhook"


@pytest.fixture(scope="module")
def telegram(tmp_path_factory, curated_records) -> Iterator[Dict]:
    with telegram_stack(
        tmp_path_factory.mktemp("telegram"),
        curated_records,
        BOT_TOKEN,
        SECRET,
        TELEGRAM_WEBHOOK_URL=WEBHOOK_URL,
        OUTBOX_RETRY_SECONDS="1",
    ) as stack:
        yield stack


def post(telegram, update, secret=SECRET):
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return requests.post(telegram["webhook"], json=update, headers=headers, timeout=60)


def sent_to(fake, chat_id):
    return [call for call in fake.calls("sendMessage") if int(call["chat_id"]) == chat_id]


def test_webhook_registered_with_secret_at_start(telegram):
    # Registration runs in Sanic's after_server_start, which may finish after the server answers.
    deadline = time.monotonic() + 30
    while not telegram["fake"].calls("setWebhook") and time.monotonic() < deadline:
        time.sleep(0.2)
    [call] = telegram["fake"].calls("setWebhook")
    assert call["url"] == WEBHOOK_URL and call["secret_token"] == SECRET


def test_question_answered_with_inline_keyboard(telegram):
    fake = telegram["fake"]
    assert post(telegram, text_update(1001, 501, "làm hộ chiếu hết bao nhiêu tiền")).status_code == 200
    messages = sent_to(fake, 501)
    assert "200.000 đồng" in messages[0]["text"]
    keyboard = messages[0]["reply_markup"]["inline_keyboard"]
    rows = [[button["text"] for button in row] for row in keyboard]
    assert rows == [["Hồ sơ"], ["Thời gian"], ["Nơi nộp"], ["Làm trực tuyến"], ["👍", "👎"]]
    assert any(int(c["chat_id"]) == 501 and c["action"] == "typing" for c in fake.calls("sendChatAction"))


def test_button_press_is_answered_and_passed_to_rasa(telegram):
    fake = telegram["fake"]
    post(telegram, text_update(1002, 502, "lệ phí xác nhận tình trạng hôn nhân"))
    keyboard = sent_to(fake, 502)[0]["reply_markup"]["inline_keyboard"]
    data = next(row[0]["callback_data"] for row in keyboard if row[0]["text"] == "Thời gian")
    assert data.startswith("k:") and len(data.encode()) <= 64, "long payloads must be mapped"
    before = len(sent_to(fake, 502))
    assert post(telegram, callback_update(1003, 502, data)).status_code == 200
    assert any(c["callback_query_id"] == "cb1003" for c in fake.calls("answerCallbackQuery"))
    reply = sent_to(fake, 502)[before]["text"]
    assert reply.startswith("Thời gian giải quyết – Cấp Giấy xác nhận tình trạng hôn nhân")


@pytest.mark.parametrize("secret", [None, "wrong", "sécret-non-ascii"])
def test_missing_or_wrong_secret_is_refused_and_nothing_sent(telegram, secret):
    fake = telegram["fake"]
    before = len(fake.calls("sendMessage"))
    response = post(telegram, text_update(1004, 503, "xin chào"), secret=secret)
    assert response.status_code == 403
    assert len(fake.calls("sendMessage")) == before


def test_rate_limited_send_is_retried(telegram):
    fake = telegram["fake"]
    fake.rate_limit_next = 1
    assert post(telegram, text_update(1005, 504, "xin chào")).status_code == 200
    assert sent_to(fake, 504), "the reply must arrive after retry_after"
    assert fake.rate_limit_next == 0


def test_duplicate_update_processed_once(telegram):
    fake = telegram["fake"]
    update = text_update(1006, 505, "cảm ơn")
    post(telegram, update)
    post(telegram, update)
    assert len(sent_to(fake, 505)) == 1


def test_non_text_update_gets_polite_reply_and_edits_are_ignored(telegram):
    fake = telegram["fake"]
    assert post(telegram, sticker_update(1007, 506)).status_code == 200
    assert sent_to(fake, 506)[0]["text"].startswith("Xin lỗi, hiện tôi chỉ đọc được tin nhắn chữ")
    edited = {"update_id": 1008, "edited_message": text_update(1008, 507, "sửa")["message"]}
    assert post(telegram, edited).status_code == 200
    assert sent_to(fake, 507) == []


def test_start_command_greets(telegram):
    post(telegram, text_update(1009, 508, "/start"))
    greeting = sent_to(telegram["fake"], 508)[0]
    assert greeting["text"].startswith("Xin chào!")
    topics = [button["text"] for row in greeting["reply_markup"]["inline_keyboard"] for button in row]
    assert len(topics) == 6 and {"Hướng dẫn dịch vụ công trực tuyến", "Tra cứu hồ sơ", "Gặp cán bộ"} <= set(topics)


def keyboard_of(message):
    return [[button["text"] for button in row] for row in message["reply_markup"]["inline_keyboard"]]


def callback_for(message, title):
    return next(
        b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row if b["text"] == title
    )


def test_thumbs_sit_on_the_answer_and_the_survey_follows_the_goodbye(telegram):
    from sqlalchemy import select

    from actions.stores.tables import AnswerFeedback, ServiceSurvey

    fake = telegram["fake"]
    post(telegram, text_update(1030, 509, "lệ phí đăng ký tạm trú"))
    [answer] = sent_to(fake, 509)
    assert "Nguồn chính thức" in answer["text"] and keyboard_of(answer)[-1] == ["👍", "👎"]
    post(telegram, callback_update(1031, 509, callback_for(answer, "👎")))
    reasons = sent_to(fake, 509)[-1]
    assert [row[0] for row in keyboard_of(reasons)][:2] == ["Sai thông tin", "Không đúng thủ tục tôi hỏi"]
    post(telegram, text_update(1032, 509, "tạm biệt"))
    question = sent_to(fake, 509)[-1]
    assert question["text"].startswith("(1/5)") and keyboard_of(question) == [["1", "2", "3", "4", "5"], ["Bỏ qua"]]
    post(telegram, callback_update(1033, 509, callback_for(question, "4")))
    assert sent_to(fake, 509)[-1]["text"].startswith("(2/5)")
    with session_factory(telegram["servers"].database_url)() as session:
        thumbs = list(
            session.execute(select(AnswerFeedback).where(AnswerFeedback.conversation_id == "telegram:509")).scalars()
        )
        surveys = list(
            session.execute(select(ServiceSurvey).where(ServiceSurvey.conversation_id == "telegram:509")).scalars()
        )
    assert [(r.helpful, r.channel, r.procedure_id) for r in thumbs] == [(False, "telegram", "tam-tru")]
    assert [(r.overall, r.channel, r.procedure_id, r.trigger) for r in surveys] == [
        (4, "telegram", "tam-tru", "goodbye")
    ]


def test_polling_feeds_the_same_bot(telegram):
    fake = telegram["fake"]
    fake.pending_updates.append(text_update(2001, 510, "làm hộ chiếu hết bao nhiêu tiền"))
    port = telegram["servers"].rasa.rsplit(":", 1)[1]
    env = dict(os.environ, **telegram["env"], RASA_PORT=port, PYTHONPATH=str(ROOT))
    poller = subprocess.Popen(
        [sys.executable, "-m", "bot.channels.telegram_polling"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not sent_to(fake, 510):
            time.sleep(0.5)
    finally:
        poller.terminate()
        poller.wait(timeout=20)
    assert "200.000 đồng" in sent_to(fake, 510)[0]["text"]


def test_bot_api_502_keeps_the_turn_and_the_reply_is_delivered_later(telegram):
    fake, database_url = telegram["fake"], telegram["servers"].database_url
    question = "làm hộ chiếu hết bao nhiêu tiền"
    fake.send_failure_status = 502
    try:
        started = time.monotonic()
        answer = post(telegram, text_update(1012, 511, question))
        assert answer.status_code == 200 and answer.json() == {"status": "ok"}
        assert time.monotonic() - started < 30, "the webhook must not wait on a Bot API that is down"
        assert user_texts(telegram["servers"].rasa, "telegram:511") == [question], "the turn must be stored"
        kept = outbox_rows(database_url, "telegram:511")
        assert kept and all(row.delivered_at is None for row in kept)
        assert "200.000 đồng" in kept[0].body["text"] and kept[0].attempts == 1
        assert kept[0].last_error == "NetworkError: Bad Gateway"
        assert fake.delivered(511) == []
    finally:
        fake.send_failure_status = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(
        row.delivered_at is None for row in outbox_rows(database_url, "telegram:511")
    ):
        time.sleep(0.5)
    assert all(row.delivered_at is not None for row in outbox_rows(database_url, "telegram:511"))
    delivered = fake.delivered(511)
    assert [m["text"] for m in delivered] == [row.body["text"] for row in kept], "each reply once, in order"
    assert [row[0]["text"] for row in delivered[0]["reply_markup"]["inline_keyboard"]][0] == "Hồ sơ"
    assert post(telegram, text_update(1012, 511, question)).json() == {"status": "duplicate"}


class StubRequest:
    """What the webhook handler reads of a Sanic request."""

    def __init__(self, payload: Dict[str, Any], secret: Optional[str] = SECRET) -> None:
        self.json = payload
        self.body = json.dumps(payload).encode()
        self.headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}


@pytest.fixture
def bot_api() -> Iterator[FakeTelegramApi]:
    fake = FakeTelegramApi(BOT_TOKEN).start()
    yield fake
    fake.stop()


def webhook_handler(bot_api: FakeTelegramApi, on_new_message) -> Any:
    """The channel's real webhook handler, on the DATABASE_URL of the test, without a Rasa server."""
    channel = TelegramInput(
        TelegramSettings(token=BOT_TOKEN, webhook_secret=SECRET, api_base_url=f"{bot_api.url}/bot", webhook_url=None)
    )
    blueprint = channel.blueprint(on_new_message)
    return channel, next(route.handler for route in blueprint._future_routes if route.uri == "/webhook")


def test_update_whose_turn_failed_is_processed_when_delivered_again(bot_api, database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    turns: List[str] = []

    async def on_new_message(message) -> None:
        turns.append(message.text)
        if len(turns) == 1:
            raise RuntimeError("tracker store unreachable")

    channel, receive = webhook_handler(bot_api, on_new_message)
    update = text_update(3001, 601, "xin chào")

    async def deliver_three_times() -> List[Any]:
        answers = [await receive(StubRequest(update)) for _ in range(3)]
        await (await channel.bot()).shutdown()
        return answers

    failed, retried, duplicate = asyncio.run(deliver_three_times())
    assert failed.status == 500, "a non-2xx answer makes Telegram deliver the update again"
    assert (retried.status, json.loads(retried.body)) == (200, {"status": "ok"})
    assert (duplicate.status, json.loads(duplicate.body)) == (200, {"status": "duplicate"})
    assert turns == ["xin chào", "xin chào"]


def test_send_failure_never_aborts_the_turn(bot_api, database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("OUTBOX_RETRY_SECONDS", "0.05")
    monkeypatch.setattr(telegram_channel, "backoff", lambda attempt: 0.01)
    finished: List[str] = []

    async def on_new_message(message) -> None:
        await message.output_channel.send_response(
            message.sender_id,
            {"text": "Lệ phí: 200.000 đồng", "buttons": [{"title": "Hồ sơ", "payload": "/ask_documents"}]},
        )
        await message.output_channel.send_response(message.sender_id, {"text": "Bạn thấy câu trả lời thế nào?"})
        finished.append(message.sender_id)

    channel, receive = webhook_handler(bot_api, on_new_message)
    bot_api.send_failure_status = 502

    async def scenario() -> Any:
        answer = await receive(StubRequest(text_update(3002, 602, "lệ phí hộ chiếu")))
        bot_api.send_failure_status = None
        await asyncio.sleep(0.1)
        await channel.retrier.run_once()
        await (await channel.bot()).shutdown()
        return answer

    answer = asyncio.run(scenario())
    assert answer.status == 200 and finished == ["telegram:602"], "the turn ran to its end"
    failed = [r for r in bot_api.requests if r.path.endswith("/sendMessage") and r.status == 502]
    assert len(failed) == SEND_ATTEMPTS, "the first reply was tried with backoff, the second queued behind it"
    delivered = bot_api.delivered(602)
    assert [m["text"] for m in delivered] == ["Lệ phí: 200.000 đồng", "Bạn thấy câu trả lời thế nào?"]
    assert delivered[0]["reply_markup"]["inline_keyboard"][0][0] == {"text": "Hồ sơ", "callback_data": "/ask_documents"}
    assert OutboxStore(session_factory(database_url)).counts() == {"pending": 0, "delivered": 2, "given_up": 0}
