"""Hostile and unlucky input on the Telegram and Zalo webhooks of the real Rasa and action servers.

A 100,000-character message gets the polite "too long" answer without the Rasa server's memory
jumping, and when the action server is down a citizen on either messenger hears "busy" and a
rating is kept. Fake Bot API and OpenAPI servers on loopback stand in for Telegram and Zalo.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Dict, Iterator, List

import pytest
import requests
from sqlalchemy import select

from actions.stores.tables import AnswerFeedback
from bot.channels.turns import BUSY_REPLY
from core.db import session_factory
from tests.fakes.messengers import fake_messengers
from tests.fakes.telegram_api import text_update
from tests.fakes.zalo_api import signed_event, text_event
from tests.reliability.conftest import peak_rss_mib
from tools.stack import running_servers

pytestmark = pytest.mark.e2e

BOT_TOKEN, SECRET = "123456:TEST-token", "s3cret-webhook-token"
APP_ID, OA_SECRET, APP_SECRET = "app-123", "oa-secret-key", "app-secret"
LONG = ("thu tuc ho chieu " * 5_883).strip()  # 100,010 characters


@pytest.fixture(scope="module")
def messengers(tmp_path_factory, curated_records) -> Iterator[Dict]:
    with fake_messengers(BOT_TOKEN, SECRET, APP_ID, OA_SECRET, APP_SECRET) as (telegram, zalo, env):
        with running_servers(tmp_path_factory.mktemp("messengers"), curated_records, env) as servers:
            yield {"telegram": telegram, "zalo": zalo, "servers": servers}


def on_telegram(messengers, update_id: int, chat_id: int, text: str) -> List[str]:
    answer = requests.post(
        f"{messengers['servers'].rasa}/webhooks/telegram/webhook",
        json=text_update(update_id, chat_id, text),
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    return [c["text"] for c in messengers["telegram"].calls("sendMessage") if int(c["chat_id"]) == chat_id]


def on_zalo(messengers, user_id: str, text: str, count: int) -> List[str]:
    body, headers = signed_event(APP_ID, OA_SECRET, text_event(APP_ID, user_id, text))
    answer = requests.post(
        f"{messengers['servers'].rasa}/webhooks/zalo/webhook", data=body, headers=headers, timeout=60
    )
    assert answer.status_code == 200, answer.text
    deadline = time.monotonic() + 60
    while len(messengers["zalo"].messages_to(user_id)) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    return [m["text"] for m in messengers["zalo"].messages_to(user_id)]


def test_100k_characters_on_telegram_and_zalo_get_the_polite_answer(messengers):
    on_telegram(messengers, 1, 701, "xin chào")
    before = peak_rss_mib(messengers["servers"].rasa_pid)
    assert on_telegram(messengers, 2, 702, LONG)[0].startswith("Tin nhắn quá dài (100.010 ký tự")
    assert on_zalo(messengers, "z-long", LONG, 1)[0].startswith("Tin nhắn quá dài (100.010 ký tự")
    assert peak_rss_mib(messengers["servers"].rasa_pid) - before < 100
    assert "200.000 đồng" in on_telegram(messengers, 3, 703, "làm hộ chiếu hết bao nhiêu tiền")[0]


def test_action_server_down_messengers_say_busy_and_keep_the_thumbs(messengers):
    os.kill(messengers["servers"].actions_pid, signal.SIGKILL)
    time.sleep(1)
    assert on_telegram(messengers, 10, 710, "làm hộ chiếu hết bao nhiêu tiền") == [BUSY_REPLY]
    assert on_zalo(messengers, "z-down", "làm hộ chiếu hết bao nhiêu tiền", 1) == [BUSY_REPLY]
    on_zalo(messengers, "z-down", '/rate_answer{"turn":"m-earlier","helpful":"up"}', 2)
    with session_factory(messengers["servers"].database_url)() as db:
        query = select(AnswerFeedback).where(AnswerFeedback.conversation_id == "zalo:z-down")
        rows = list(db.execute(query).scalars())
    assert [(r.turn_id, r.helpful, r.channel) for r in rows] == [("m-earlier", True, "zalo")]
