"""What Telegram users get without asking just then: the survey after an idle conversation, and the
invitation to evaluate a service once their dossier is completed (they opted in)."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Dict, Iterator

import pytest
import requests
from sqlalchemy import select

from actions.stores.applications import DatabaseStatusProvider
from actions.stores.tables import ServiceSurvey
from core.db import session_factory
from core.settings import get_settings
from tests.bot.channels.conftest import telegram_stack
from tests.fakes.telegram_api import callback_update, text_update
from tools.invitations import invite_completed
from tools.stack import TOKEN

pytestmark = pytest.mark.e2e

BOT_TOKEN = "654321:IDLE-token"
SECRET = "idle-webhook-secret"
IDLE_SECONDS = 4


@pytest.fixture(scope="module")
def telegram(tmp_path_factory, curated_records) -> Iterator[Dict]:
    with telegram_stack(
        tmp_path_factory.mktemp("idle"), curated_records, BOT_TOKEN, SECRET, SURVEY_IDLE_SECONDS=str(IDLE_SECONDS)
    ) as stack:
        yield stack


def post(telegram, update) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert requests.post(telegram["webhook"], json=update, headers=headers, timeout=60).status_code == 200


def texts_to(fake, chat_id):
    return [call["text"] for call in fake.calls("sendMessage") if int(call["chat_id"]) == chat_id]


def surveys_of(telegram, conversation_id):
    with session_factory(telegram["servers"].database_url)() as session:
        query = select(ServiceSurvey).where(ServiceSurvey.conversation_id == conversation_id)
        return [(s.procedure_id, s.trigger) for s in session.execute(query).scalars()]


def test_silence_after_an_answer_brings_the_survey_once(telegram):
    fake = telegram["fake"]
    post(telegram, text_update(3001, 601, "lệ phí đăng ký tạm trú"))
    deadline = time.monotonic() + IDLE_SECONDS + 30
    while time.monotonic() < deadline and not any(t.startswith("(1/5)") for t in texts_to(fake, 601)):
        time.sleep(0.5)
    texts = texts_to(fake, 601)
    assert any(t.startswith("(1/5)") for t in texts), texts
    assert surveys_of(telegram, "telegram:601") == [("tam-tru", "idle")]
    time.sleep(IDLE_SECONDS + 2)  # no second survey, however long the silence
    assert sum(t.startswith("(1/5)") for t in texts_to(fake, 601)) == 1


def test_a_message_before_the_idle_time_cancels_it(telegram):
    fake = telegram["fake"]
    post(telegram, text_update(3002, 602, "lệ phí đăng ký tạm trú"))
    post(telegram, text_update(3003, 602, "xin chào"))  # within the idle time; a greeting sets no new one
    time.sleep(IDLE_SECONDS + 4)
    assert not any(t.startswith("(1/5)") for t in texts_to(fake, 602))
    assert surveys_of(telegram, "telegram:602") == []


def test_an_opted_in_citizen_is_invited_once_when_the_dossier_is_completed(telegram):
    fake, servers = telegram["fake"], telegram["servers"]
    applications = DatabaseStatusProvider(session_factory(servers.database_url))
    applications.upsert("G22.39-250101-0042", "Đang giải quyết", "tam-tru")
    post(telegram, text_update(3010, 603, "tra cứu hồ sơ G22.39-250101-0042"))
    [status] = [c for c in fake.calls("sendMessage") if int(c["chat_id"]) == 603]
    [[button]] = status["reply_markup"]["inline_keyboard"]
    assert button["text"] == "Nhắn tôi khi hồ sơ có kết quả"
    post(telegram, callback_update(3011, 603, button["callback_data"]))
    assert "tôi sẽ nhắn bạn" in texts_to(fake, 603)[-1]
    settings = replace(get_settings(), database_url=servers.database_url, rasa_api_token=TOKEN)
    assert invite_completed(settings, servers.rasa) == {"sent": 0, "failed": 0}  # not completed yet
    applications.upsert("G22.39-250101-0042", "Đã trả kết quả", "tam-tru")
    assert invite_completed(settings, servers.rasa) == {"sent": 1, "failed": 0}
    texts = texts_to(fake, 603)
    assert texts[-3].startswith("Hồ sơ G22.39-250101-0042 (Đăng ký tạm trú) đã có kết quả")
    assert texts[-1].startswith("(1/5)")
    assert surveys_of(telegram, "telegram:603") == [("tam-tru", "completed")]
    assert invite_completed(settings, servers.rasa) == {"sent": 0, "failed": 0}  # once per dossier
