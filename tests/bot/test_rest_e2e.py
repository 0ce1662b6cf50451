"""End to end over HTTP: the trained model, the Rasa server and the action server, on a test database."""

from __future__ import annotations

import json
from typing import Dict, Iterator, List

import pytest
import requests
from sqlalchemy import create_engine, select, text

from actions.stores.tables import Rating
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


def test_rating_is_stored_with_channel(servers):
    say(servers, "c", "lệ phí đăng ký tạm trú")
    replies = say(servers, "c", '/rate_service{"rating": "5"}')
    assert any("góp ý" in r.get("text", "") for r in replies)
    replies = say(servers, "c", "rất nhanh gọn, cảm ơn")
    assert any("Cảm ơn bạn đã đánh giá" in r.get("text", "") for r in replies)
    with session_factory(servers["database_url"])() as session:
        rows = list(session.execute(select(Rating).where(Rating.conversation_id == "c")).scalars())
    assert [(r.score, r.channel, r.procedure_id, r.comment) for r in rows] == [
        (5, "rest", "tam-tru", "rất nhanh gọn, cảm ơn")
    ]


def test_out_of_range_rating_is_asked_again(servers):
    replies = say(servers, "d", '/rate_service{"rating": "9"}')
    texts = " ".join(r.get("text", "") for r in replies)
    assert "từ 1 đến 5" in texts
    with session_factory(servers["database_url"])() as session:
        assert list(session.execute(select(Rating).where(Rating.conversation_id == "d")).scalars()) == []


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
    say(servers, "pii", '/rate_service{"rating": "2"}')
    say(servers, "pii", "gọi lại cho tôi số 0912345678 nhé")
    state = tracker(servers, "pii")
    texts = [e.get("text") or "" for e in state["events"] if e["event"] == "user"]
    assert any("[CCCD]" in t and "[SĐT]" in t and "[EMAIL]" in t for t in texts)
    dumped = json.dumps(state, ensure_ascii=False)
    assert not [raw for raw in RAW_PERSONAL if raw in dumped]
    engine = create_engine(servers["database_url"])
    with engine.connect() as connection:
        tables = [row[0] for row in connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))]
        assert "events" in tables and "ratings" in tables
        for table in tables:
            rows = json.dumps(
                [list(map(str, row)) for row in connection.execute(text(f'SELECT * FROM "{table}"'))],
                ensure_ascii=False,
            )
            assert not [raw for raw in RAW_PERSONAL if raw in rows], table
