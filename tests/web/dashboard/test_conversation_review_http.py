"""The conversation pages over real HTTP: read-only transcripts and the labelling mode, search, and the
team's tags, notes and "đã xem" with their roles, CSRF and audit log."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Dict, Iterator

import pytest
import requests
from sqlalchemy import select

from bot.analytics_events import AnalyticsEventStore
from core.db import engine_for, session_factory
from tests.web.dashboard.conftest import login
from tools.stack import running_web_server
from web.dashboard.accounts import AccountStore
from web.tables import AuditEntry, ConversationNote, ConversationReview, ConversationTag

pytestmark = pytest.mark.e2e

ADMIN, ADMIN_PASSWORD = "quantri", "mat-khau-quan-tri-1"
VIEWER, VIEWER_PASSWORD = "truyenthong", "mat-khau-xem-1234"
EDITOR, EDITOR_PASSWORD = "bientap", "mat-khau-bien-tap-1"
AT = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc).timestamp()
RANGE = {"from": "2026-11-19", "to": "2026-11-21"}
PAYLOAD = '/rate_answer{"turn": "m1", "helpful": "up"}'


def said(sender: str, text: str, at: float, kind: str = "user", intent: str = "ask_fee") -> dict:
    event = {"sender_id": sender, "event": kind, "timestamp": at, "text": text}
    if kind == "user":
        event.update(input_channel="telegram", parse_data={"intent": {"name": intent, "confidence": 0.97}})
    return event


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Dict]:
    tmp = tmp_path_factory.mktemp("conversation-review")
    url = f"sqlite:///{tmp / 'review.db'}"
    AnalyticsEventStore(engine_for(url)).add(
        [
            said("telegram:1", "Làm HỘ CHIẾU hết bao nhiêu tiền", AT),
            said("telegram:1", "Lệ phí 200.000 đồng", AT + 1, "bot"),
            said("telegram:1", PAYLOAD, AT + 2, intent="rate_answer"),
            said("telegram:2", "đăng ký tạm trú ở Đà Nẵng", AT + 60, intent="ask_procedure"),
        ]
    )
    env = {
        "DATABASE_URL": url,
        "REVIEW_SECRET_KEY": "k" * 32,
        "REVIEW_ADMIN_USER": ADMIN,
        "REVIEW_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    with running_web_server(tmp, env) as base:
        AccountStore(session_factory(url)).create(VIEWER, VIEWER_PASSWORD, "viewer")
        AccountStore(session_factory(url)).create(EDITOR, EDITOR_PASSWORD, "editor")
        yield {"base": base, "url": url}


@pytest.fixture(scope="module")
def viewer(site) -> requests.Session:
    return login(site["base"], VIEWER, VIEWER_PASSWORD)


@pytest.fixture(scope="module")
def editor(site) -> requests.Session:
    return login(site["base"], EDITOR, EDITOR_PASSWORD)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


def rows_of(site, model) -> list:
    with session_factory(site["url"])() as session:
        return list(session.execute(select(model)).scalars())


def transcript(client: requests.Session, site: Dict, sender: str = "telegram:1", **params) -> str:
    answer = client.get(f"{site['base']}/review/conversations/{sender}", params=params)
    assert answer.status_code == 200, answer.text[:300]
    return answer.text


def test_the_transcript_is_read_only_in_plain_vietnamese(site, viewer):
    page = transcript(viewer, site)
    assert 'name="event_id"' not in page and 'data-testid="label-intent"' not in page
    assert 'data-testid="label-mode"' in page and "Gắn nhãn huấn luyện" in page
    assert "Hỏi phí, lệ phí" in page and "ask_fee" not in page and "97%" in page
    assert "[Bấm nút: Đánh giá câu trả lời]" in page and "rate_answer" not in page and "helpful" not in page
    assert "Telegram" in page


@pytest.mark.parametrize("who", ["viewer", "editor"])
def test_the_labelling_mode_shows_the_forms_to_whoever_labels_today(site, who, request):
    client = request.getfixturevalue(who)
    page = transcript(client, site, mode="label")
    assert page.count('data-testid="label-intent"') == 2 and 'data-testid="read-mode"' in page
    # options say what the citizen asked; the value stays the intent's name
    assert '<option value="ask_fee" selected>Hỏi phí, lệ phí</option>' in page


def test_a_label_leads_back_to_the_labelling_mode(site, viewer):
    page = transcript(viewer, site, mode="label")
    event_id = re.search(r'name="event_id" value="(\d+)"', page).group(1)
    answer = viewer.post(
        f"{site['base']}/review/training/label",
        data={"csrf": csrf_of(page), "event_id": event_id, "sender_id": "telegram:1", "intent": "ask_fee"},
        allow_redirects=False,
    )
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"?mode=label#e{event_id}")


def test_a_viewer_reads_the_team_marks_but_cannot_write_them(site, viewer):
    page = transcript(viewer, site)
    assert 'data-testid="seen-state"' in page and "Chưa xem" in page
    assert 'data-testid="tag-input"' not in page and 'data-testid="note-input"' not in page
    assert 'data-testid="seen-toggle"' not in page
    token = csrf_of(page)
    for path, data in [
        ("tags", {"tag": "khiếu nại"}),
        ("tags/remove", {"tag": "khiếu nại"}),
        ("notes", {"text": "xem lại"}),
        ("seen", {"seen": "1"}),
    ]:
        answer = viewer.post(f"{site['base']}/review/conversations/telegram:2/{path}", data={"csrf": token, **data})
        assert answer.status_code == 403, path
    assert rows_of(site, ConversationTag) == rows_of(site, ConversationNote) == rows_of(site, ConversationReview) == []


def test_team_forms_need_the_csrf_token(site, editor):
    for token in (None, "0" * 64):
        data = {"tag": "khiếu nại"} if token is None else {"tag": "khiếu nại", "csrf": token}
        answer = editor.post(f"{site['base']}/review/conversations/telegram:2/tags", data=data)
        assert answer.status_code == 403 and "CSRF" in answer.text
    assert rows_of(site, ConversationTag) == []


def test_an_editor_tags_notes_and_marks_seen_and_the_list_follows(site, editor, viewer):
    base = f"{site['base']}/review/conversations/telegram:1"
    token = csrf_of(transcript(editor, site))
    assert editor.post(f"{base}/tags", data={"csrf": token, "tag": "  Khiếu NẠI "}).status_code == 200
    assert editor.post(f"{base}/tags", data={"csrf": token, "tag": "cần gọi lại"}).status_code == 200
    refused = editor.post(f"{base}/tags", data={"csrf": token, "tag": " "})
    assert refused.status_code == 400 and "Nhãn không được để trống" in refused.text
    note = editor.post(f"{base}/notes", data={"csrf": token, "text": "Người dân nhờ gọi 0912 345 678"})
    assert note.status_code == 200 and note.url.endswith("/review/conversations/telegram%3A1#nhom")
    assert editor.post(f"{base}/seen", data={"csrf": token, "seen": "1"}).status_code == 200
    missing = editor.post(f"{site['base']}/review/conversations/no-such/seen", data={"csrf": token, "seen": "1"})
    assert missing.status_code == 404

    page = transcript(viewer, site)
    assert re.findall(r'data-testid="tag">([^<\n]+)', page) == ["cần gọi lại", "khiếu nại"]
    assert "[SĐT]" in page and "0912 345 678" not in page and "Người dân nhờ gọi" in page
    assert f"Đã xem</span> bởi {EDITOR}" in page
    [stored] = rows_of(site, ConversationNote)
    assert "0912" not in stored.text

    listing = viewer.get(f"{site['base']}/review/conversations", params=RANGE).text
    assert listing.count('data-testid="conversation-row"') == 2 and listing.count('data-testid="row-tag"') == 2
    tagged = viewer.get(f"{site['base']}/review/conversations", params={**RANGE, "tag": "khiếu nại"}).text
    assert tagged.count('data-testid="conversation-row"') == 1 and "HỘ CHIẾU" in tagged
    seen = viewer.get(f"{site['base']}/review/conversations", params={**RANGE, "seen": "seen"}).text
    unseen = viewer.get(f"{site['base']}/review/conversations", params={**RANGE, "seen": "unseen"}).text
    assert "HỘ CHIẾU" in seen and "Đà Nẵng" not in seen and "Đà Nẵng" in unseen and "HỘ CHIẾU" not in unseen

    assert editor.post(f"{base}/tags/remove", data={"csrf": token, "tag": "khiếu nại"}).status_code == 200
    assert editor.post(f"{base}/seen", data={"csrf": token, "seen": "0"}).status_code == 200
    page = transcript(viewer, site)
    assert re.findall(r'data-testid="tag">([^<\n]+)', page) == ["cần gọi lại"] and "Chưa xem" in page

    audit = {(row.username, row.action, row.target) for row in rows_of(site, AuditEntry)}
    assert {
        (EDITOR, "tag-add", "telegram:1: khiếu nại"),
        (EDITOR, "tag-add", "telegram:1: cần gọi lại"),
        (EDITOR, "note-add", f"telegram:1: note {stored.id}"),
        (EDITOR, "mark-seen", "telegram:1"),
        (EDITOR, "tag-remove", "telegram:1: khiếu nại"),
        (EDITOR, "mark-unseen", "telegram:1"),
    } <= audit


@pytest.mark.parametrize("typed", ["ho chieu", "HỘ CHIẾU"])
def test_search_lists_the_conversations_with_the_match_marked(site, viewer, typed):
    page = viewer.get(f"{site['base']}/review/conversations", params={**RANGE, "q": typed}).text
    assert page.count('data-testid="conversation-row"') == 1
    assert "Làm <mark>HỘ CHIẾU</mark> hết bao nhiêu tiền" in page and 'value="' + typed + '"' in page
    # the row links to the matching message of the conversation, its id encoded
    link = re.search(r'<a href="(/review/conversations/[^"]+)">', page).group(1)
    assert link.startswith("/review/conversations/telegram%3A1#e")
    assert "Làm HỘ CHIẾU hết bao nhiêu tiền" in viewer.get(site["base"] + link).text
    none = viewer.get(f"{site['base']}/review/conversations", params={**RANGE, "q": "50%"}).text
    assert 'data-testid="conversation-row"' not in none and "Không có cuộc trò chuyện phù hợp" in none
    reply = viewer.get(f"{site['base']}/review/conversations", params={**RANGE, "q": "200.000 dong"}).text
    assert "Trợ lý: Lệ phí <mark>200.000 đồng</mark>" in reply
