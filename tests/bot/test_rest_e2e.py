"""End to end over HTTP: the trained model, the Rasa server and the action server, on a test database."""

from __future__ import annotations

import json
from typing import Dict, Iterator, List

import pytest
import requests
from sqlalchemy import create_engine, select, text

from actions.stores.tables import AnswerFeedback, ServiceSurvey
from core.db import session_factory
from tools.stack import TOKEN, running_servers

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def servers(tmp_path_factory, curated_records) -> Iterator[Dict[str, str]]:
    with running_servers(tmp_path_factory.mktemp("e2e"), curated_records) as running:
        yield {"rasa": running.rasa, "actions": running.actions, "database_url": running.database_url}


def say(servers, sender: str, message: str) -> List[Dict]:
    response = requests.post(
        f"{servers['rasa']}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
    )
    assert response.status_code == 200, response.text
    return response.json()


def tracker(servers, sender: str) -> Dict:
    response = requests.get(f"{servers['rasa']}/conversations/{sender}/tracker", params={"token": TOKEN}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_action_server_health(servers):
    assert requests.get(f"{servers['actions']}/health", timeout=5).json() == {"status": "ok"}


def test_passport_fee_then_documents_follow_up(servers):
    replies = say(servers, "a", "làm hộ chiếu hết bao nhiêu tiền")
    text = replies[0]["text"]
    assert "200.000 đồng" in text and "Nguồn chính thức: https://" in text
    state = tracker(servers, "a")
    assert state["latest_message"]["intent"]["name"] == "ask_fee"
    assert state["slots"]["procedure_id"] == "ho-chieu"
    replies = say(servers, "a", "cần giấy tờ gì")
    assert replies[0]["text"].startswith("Hồ sơ cần chuẩn bị – Cấp hộ chiếu")
    assert "Tờ khai đề nghị cấp hộ chiếu" in replies[0]["text"]


def test_api_requires_token_but_rest_channel_does_not(servers):
    assert requests.get(f"{servers['rasa']}/conversations/a/tracker", timeout=10).status_code == 401
    assert say(servers, "no-token", "xin chào")


def test_unknown_procedure_is_not_answered_with_another(servers):
    say(servers, "b", "làm hộ chiếu hết bao nhiêu tiền")
    replies = say(servers, "b", "cấp phép bắn pháo hoa hết bao nhiêu tiền")
    assert "chưa có thông tin" in replies[0]["text"]
    assert tracker(servers, "b")["slots"]["procedure_id"] is None


def buttons_of(replies: List[Dict]) -> Dict[str, str]:
    """title -> payload of every button in the replies."""
    return {b["title"]: b["payload"] for r in replies for b in r.get("buttons") or []}


def texts_of(replies: List[Dict]) -> str:
    return " ".join(r.get("text") or "" for r in replies)


def feedback_rows(servers, sender: str) -> list:
    with session_factory(servers["database_url"])() as session:
        query = select(AnswerFeedback).where(AnswerFeedback.conversation_id == sender).order_by(AnswerFeedback.id)
        return list(session.execute(query).scalars())


def survey_rows(servers, sender: str) -> list:
    with session_factory(servers["database_url"])() as session:
        query = select(ServiceSurvey).where(ServiceSurvey.conversation_id == sender).order_by(ServiceSurvey.id)
        return list(session.execute(query).scalars())


def test_thumbs_belong_to_the_answer_they_sit_on(servers):
    first = say(servers, "c", "lệ phí đăng ký tạm trú")
    second = say(servers, "c", "làm hộ chiếu hết bao nhiêu tiền")
    # One bubble per answer: the 👍/👎 sit on it, no separate "hữu ích?" message.
    assert len(first) == 1 and {"👍", "👎"} <= set(buttons_of(first))
    assert buttons_of(first)["👎"] != buttons_of(second)["👎"]
    say(servers, "c", buttons_of(second)["👍"])
    for _ in range(3):  # pressed again and again: still one row per answer
        replies = say(servers, "c", buttons_of(first)["👎"])
    assert "Không đúng thủ tục tôi hỏi" in buttons_of(replies)
    say(servers, "c", buttons_of(second)["👎"])  # changed its mind
    rows = feedback_rows(servers, "c")
    assert [(r.procedure_id, r.intent, r.helpful, r.channel) for r in rows] == [
        ("ho-chieu", "ask_fee", False, "rest"),
        ("tam-tru", "ask_fee", False, "rest"),
    ]
    assert rows[1].turn_id in buttons_of(first)["👎"]


def test_a_question_during_the_comment_prompt_is_answered_and_not_stored(servers):
    answer = say(servers, "comment", "lệ phí đăng ký tạm trú")
    reasons = say(servers, "comment", buttons_of(answer)["👎"])
    thanks = say(servers, "comment", buttons_of(reasons)["Thiếu thông tin"])
    prompt = say(servers, "comment", buttons_of(thanks)["Góp ý thêm"])
    assert "gõ góp ý" in texts_of(prompt) and "Bỏ qua" in buttons_of(prompt)
    replies = say(servers, "comment", "làm hộ chiếu hết bao nhiêu tiền")
    assert "200.000 đồng" in texts_of(replies)
    [row] = feedback_rows(servers, "comment")
    assert (row.reason, row.comment) == ("missing_information", None)
    # Asked again, the criticism itself is kept, masked, on the answer it criticises.
    say(servers, "comment", buttons_of(thanks)["Góp ý thêm"])
    replies = say(servers, "comment", "không nói rõ địa chỉ nộp, gọi tôi 0912345678")
    assert "Cảm ơn" in texts_of(replies)
    [row] = feedback_rows(servers, "comment")
    assert (row.procedure_id, row.comment) == ("tam-tru", "không nói rõ địa chỉ nộp, gọi tôi [SĐT]")


def test_a_goodbye_ends_the_conversation_with_the_service_survey(servers):
    say(servers, "survey", "đăng ký tạm trú cần giấy tờ gì")
    replies = say(servers, "survey", "tạm biệt")
    assert "đánh giá dịch vụ công" in texts_of(replies) and "(1/5)" in texts_of(replies)
    assert set(buttons_of(replies)) == {"1", "2", "3", "4", "5", "Bỏ qua"}
    replies = say(servers, "survey", buttons_of(replies)["4"])
    assert "(2/5)" in texts_of(replies)
    replies = say(servers, "survey", "9")
    assert "từ 1 đến 5" in texts_of(replies) and "(2/5)" in texts_of(replies)
    replies = say(servers, "survey", "bỏ qua")
    assert "(3/5)" in texts_of(replies)
    replies = say(servers, "survey", "3")
    replies = say(servers, "survey", buttons_of(replies)["Bỏ qua"])
    replies = say(servers, "survey", "5 sao")
    assert "Cảm ơn" in texts_of(replies)
    [row] = survey_rows(servers, "survey")
    assert (row.procedure_id, row.trigger, row.channel) == ("tam-tru", "goodbye", "rest")
    scores = (row.overall, row.finding_information, row.submitting_online, row.time_as_promised, row.cost_as_announced)
    assert scores == (4, None, 3, None, 5)
    # One per conversation: another goodbye just says goodbye.
    replies = say(servers, "survey", "tạm biệt")
    assert "(1/5)" not in texts_of(replies) and len(survey_rows(servers, "survey")) == 1


def test_a_question_during_the_survey_ends_it_and_is_answered(servers):
    say(servers, "survey-q", "đăng ký tạm trú cần giấy tờ gì")
    say(servers, "survey-q", "tạm biệt")
    replies = say(servers, "survey-q", "làm hộ chiếu hết bao nhiêu tiền")
    assert "200.000 đồng" in texts_of(replies) and "(2/5)" not in texts_of(replies)
    [row] = survey_rows(servers, "survey-q")
    assert row.overall is None
    assert tracker(servers, "survey-q")["active_loop"] in ({}, None, {"name": None})


def test_no_survey_about_nothing(servers):
    replies = say(servers, "no-survey", "tạm biệt")
    assert "(1/5)" not in texts_of(replies) and texts_of(replies)
    assert survey_rows(servers, "no-survey") == []


@pytest.mark.parametrize("message", ["😀😀😀", "<b>xin chào</b><script>alert(1)</script>", "hộ chiếu " * 600])
def test_bad_input_gets_a_polite_answer(servers, message):
    replies = say(servers, "bad-input", message)
    assert replies and all(r.get("text") for r in replies)


@pytest.mark.parametrize("message", ["", "   "])
def test_empty_message_gets_400_with_a_reason(servers, message):
    answer = requests.post(
        f"{servers['rasa']}/webhooks/rest/webhook", json={"sender": "bad-input", "message": message}, timeout=60
    )
    assert answer.status_code == 400 and "non-empty" in answer.json()["error"]


RAW_PERSONAL = ["001203004567", "0912 345 678", "0912345678", "lan.nguyen@gmail.com"]


def test_personal_data_never_reaches_the_database_or_the_api(servers):
    say(
        servers,
        "pii",
        "cccd của em là 001203004567, sđt 0912 345 678, mail lan.nguyen@gmail.com, làm hộ chiếu hết bao nhiêu tiền",
    )
    replies = say(servers, "pii", "làm hộ chiếu hết bao nhiêu tiền")
    reasons = say(servers, "pii", buttons_of(replies)["👎"])
    thanks = say(servers, "pii", buttons_of(reasons)["Khác"])
    say(servers, "pii", buttons_of(thanks)["Góp ý thêm"])
    say(servers, "pii", "sai thông tin rồi, sđt của tôi 0912345678")
    assert feedback_rows(servers, "pii")[0].comment == "sai thông tin rồi, sđt của tôi [SĐT]"
    state = tracker(servers, "pii")
    texts = [e.get("text") or "" for e in state["events"] if e["event"] == "user"]
    assert any("[CCCD]" in t and "[SĐT]" in t and "[EMAIL]" in t for t in texts)
    dumped = json.dumps(state, ensure_ascii=False)
    assert not [raw for raw in RAW_PERSONAL if raw in dumped]
    engine = create_engine(servers["database_url"])
    with engine.connect() as connection:
        tables = [row[0] for row in connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))]
        assert "events" in tables and "answer_feedback" in tables
        for table in tables:
            rows = json.dumps(
                [list(map(str, row)) for row in connection.execute(text(f'SELECT * FROM "{table}"'))],
                ensure_ascii=False,
            )
            assert not [raw for raw in RAW_PERSONAL if raw in rows], table
