"""Every written form of personal data the audit planted: none stored, logged or shown raw.

Citizens' messages and a comment after a 👎 carry each form over the REST channel of the real Rasa and
action servers; then the database file (with its WAL), both servers' logs, the tracker API and the
dashboard's three CSV exports are searched for every raw value, as UTF-8 and as JSON escapes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, List

import pytest
import requests
from sqlalchemy import select

from actions.stores.tables import AnswerFeedback
from core.db import session_factory
from tests.reliability.conftest import say
from tests.web.dashboard.conftest import login
from tools.stack import TOKEN, Servers, running_servers, running_web_server

pytestmark = pytest.mark.e2e

MESSAGES = [
    "em tên Nguyễn Văn Bình, cccd 001 203 004 567, sđt (091) 234 5671, làm hộ chiếu hết bao nhiêu tiền",
    "cmnd cũ 123.456.789, số điện thoại 0084 912 345 678, ngày sinh 12/05/1990",
    "hộ chiếu số C1234567 hết hạn, mã số BHXH 0123456789, gọi (+84) 912 345 679",
    "số tài khoản 0011 0023 45678 vietcombank, biển số 29A-123.45, zalo +84-912-345-670",
    "địa chỉ 12 ngõ 34 đường Láng, Đống Đa. căn cước 001-203-004-568 cần làm gì",
]
COMMENT = "sai rồi, thiếu giấy tờ; sđt của tôi 0987 654 321, mail tran.thi.b@gmail.com"
RAW = [
    "001 203 004 567",
    "(091) 234 5671",
    "Nguyễn Văn Bình",
    "nguyễn văn bình",
    "123.456.789",
    "0084 912 345 678",
    "12/05/1990",
    "C1234567",
    "c1234567",
    "0123456789",
    "(+84) 912 345 679",
    "0011 0023 45678",
    "29A-123.45",
    "29a-123.45",
    "+84-912-345-670",
    "12 ngõ 34 đường Láng",
    "001-203-004-568",
    "0987 654 321",
    "tran.thi.b@gmail.com",
]


def raw_found(data: str) -> List[str]:
    """The planted values present in ``data``, as written or as JSON escapes."""
    return [value for value in RAW if value in data or json.dumps(value)[1:-1] in data]


@pytest.fixture(scope="module")
def conversation(tmp_path_factory, curated_records) -> Iterator[Servers]:
    tmp = tmp_path_factory.mktemp("pii")
    with running_servers(tmp, curated_records) as servers:
        for message in MESSAGES:
            say(servers, "pii-1", message)
        answer = say(servers, "pii-2", "làm hộ chiếu hết bao nhiêu tiền")
        # 👎 on the answer, a reason, "Góp ý thêm", then the comment: each press is a button payload.
        for title in ("👎", "Khác", "Góp ý thêm"):
            answer = say(
                servers,
                "pii-2",
                next(b["payload"] for r in answer for b in r.get("buttons") or [] if b["title"] == title),
            )
        say(servers, "pii-2", COMMENT)
        env = {
            "DATABASE_URL": servers.database_url,
            "REVIEW_ADMIN_USER": "admin",
            "REVIEW_ADMIN_PASSWORD": "mat-khau-du-dai-123",
            "REVIEW_SECRET_KEY": "s" * 32,
        }
        with running_web_server(tmp, env) as web:
            servers.web = web
            yield servers


def test_database_file_holds_no_raw_value(conversation):
    with session_factory(conversation.database_url)() as db:
        query = select(AnswerFeedback.comment).where(AnswerFeedback.conversation_id == "pii-2")
        [comment] = db.execute(query).scalars()
    assert comment == "sai rồi, thiếu giấy tờ; sđt của tôi [SĐT], mail [EMAIL]"  # the comment was stored, masked
    path = Path(conversation.database_url.replace("sqlite:///", ""))
    data = "".join(p.read_bytes().decode("utf-8", "replace") for p in (path, Path(f"{path}-wal")) if p.exists())
    assert "[CCCD]" in data
    assert raw_found(data) == []


@pytest.mark.parametrize("export", ["conversations.csv", "feedback.csv", "unanswered.csv"])
def test_dashboard_exports_hold_no_raw_value(conversation, export):
    client = login(conversation.web, "admin", "mat-khau-du-dai-123")
    answer = client.get(f"{conversation.web}/review/export/{export}", timeout=30)
    assert answer.status_code == 200 and raw_found(answer.text) == []
    if export != "unanswered.csv":
        assert "[SĐT]" in answer.text


def test_transcript_page_holds_no_raw_value(conversation):
    client = login(conversation.web, "admin", "mat-khau-du-dai-123")
    answer = client.get(f"{conversation.web}/review/conversations/pii-1", timeout=30)
    assert answer.status_code == 200 and "[CCCD]" in answer.text and raw_found(answer.text) == []


def test_logs_hold_no_raw_value(conversation):
    logs = "".join(
        (conversation.logs / name).read_text(encoding="utf-8", errors="replace")
        for name in ("rasa.log", "actions.log", "web.log")
    )
    assert raw_found(logs) == []


def test_tracker_api_shows_no_raw_value(conversation):
    for sender in ("pii-1", "pii-2"):
        answer = requests.get(
            f"{conversation.rasa}/conversations/{sender}/tracker", params={"token": TOKEN}, timeout=30
        )
        assert answer.status_code == 200 and raw_found(answer.text) == []
