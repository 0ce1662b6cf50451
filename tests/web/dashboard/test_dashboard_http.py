"""The dashboard over real HTTP: log-in, roles, CSRF, exports, training labels."""

from __future__ import annotations

import csv
import io
import re
from typing import Dict, Iterator

import pytest
import requests
import yaml

from bot.channels.outbox import OutboxStore
from core.db import session_factory
from knowledge_base.repository import ProcedureRepository
from tests.web.dashboard.conftest import login as login_at
from tests.web.dashboard.conftest import login_form_token, seed
from tools.stack import running_web_server
from web.dashboard.accounts import AccountStore

pytestmark = pytest.mark.e2e

ADMIN, ADMIN_PASSWORD = "quantri", "mat-khau-quan-tri-1"
VIEWER, VIEWER_PASSWORD = "truyenthong", "mat-khau-xem-1234"
EDITOR, EDITOR_PASSWORD = "bientap", "mat-khau-bien-tap-1"


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory, curated_records) -> Iterator[Dict]:
    tmp = tmp_path_factory.mktemp("dashboard")
    url = seed(f"sqlite:///{tmp / 'review.db'}")
    ProcedureRepository(session_factory(url)).upsert(curated_records)
    env = {
        "DATABASE_URL": url,
        "REVIEW_SECRET_KEY": "k" * 32,
        "REVIEW_ADMIN_USER": ADMIN,
        "REVIEW_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    with running_web_server(tmp, env) as base:
        # the first admin came from the environment; the team's viewer is added afterwards
        AccountStore(session_factory(url)).create(VIEWER, VIEWER_PASSWORD, "viewer")
        AccountStore(session_factory(url)).create(EDITOR, EDITOR_PASSWORD, "editor")
        yield {"base": base, "url": url}


def login(dashboard, username, password) -> requests.Session:
    return login_at(dashboard["base"], username, password)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


@pytest.mark.parametrize(
    "path",
    [
        "/review/",
        "/review/conversations",
        "/review/unanswered",
        "/review/services",
        "/review/training",
        "/review/users",
        "/review/export/conversations.csv",
        "/review/export/ratings.csv",
        "/review/export/unanswered.csv",
        "/review/training/export.yml",
        "/review/conversations/telegram:1",
        "/review/procedures",
    ],
)
def test_every_page_and_export_needs_a_session(dashboard, path):
    answer = requests.get(dashboard["base"] + path, allow_redirects=False)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/review/login?next=")


def session_cookie_of(answer: requests.Response) -> str:
    [cookie] = [c for c in answer.raw.headers.getlist("Set-Cookie") if c.startswith("review_session=")]
    return cookie


def test_session_cookie_flags(dashboard):
    client = requests.Session()
    answer = client.post(
        f"{dashboard['base']}/review/login",
        allow_redirects=False,
        data={"username": VIEWER, "password": VIEWER_PASSWORD, "csrf": login_form_token(client, dashboard["base"])},
    )
    cookie = session_cookie_of(answer)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/review" in cookie


def test_forwarded_proto_is_ignored_without_proxy_settings(dashboard):
    """Without PROXIES_COUNT/FORWARDED_SECRET any client could claim https (or another address)."""
    client = requests.Session()
    client.headers.update({"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    answer = client.post(
        f"{dashboard['base']}/review/login",
        allow_redirects=False,
        data={"username": VIEWER, "password": VIEWER_PASSWORD, "csrf": login_form_token(client, dashboard["base"])},
    )
    assert answer.status_code == 302 and "Secure" not in session_cookie_of(answer)


def test_viewer_cannot_manage_users_admin_can(dashboard):
    viewer = login(dashboard, VIEWER, VIEWER_PASSWORD)
    assert viewer.get(f"{dashboard['base']}/review/users").status_code == 403
    admin = login(dashboard, ADMIN, ADMIN_PASSWORD)
    page = admin.get(f"{dashboard['base']}/review/users")
    assert page.status_code == 200
    created = admin.post(
        f"{dashboard['base']}/review/users",
        data={"csrf": csrf_of(page.text), "username": "moi", "password": "mat-khau-moi-123", "role": "viewer"},
    )
    assert "Đã tạo tài khoản" in created.text and "quantri" in created.text


def test_an_editor_records_a_review_a_viewer_cannot(dashboard):
    row = re.compile(r'<tr id="p-tam-vang".*?</tr>', re.S)
    viewer = login(dashboard, VIEWER, VIEWER_PASSWORD)
    page = viewer.get(f"{dashboard['base']}/review/procedures", params={"q": "tạm vắng"})
    assert page.status_code == 200 and 'data-testid="unreviewed"' in row.search(page.text).group()
    assert "Đánh dấu đã rà soát" not in page.text
    refused = viewer.post(
        f"{dashboard['base']}/review/procedures/tam-vang/review",
        data={"csrf": csrf_of(page.text), "checked_against": "Luật Cư trú 2020"},
    )
    assert refused.status_code == 403

    editor = login(dashboard, EDITOR, EDITOR_PASSWORD)
    page = editor.get(f"{dashboard['base']}/review/procedures", params={"q": "tạm vắng"})
    empty = editor.post(
        f"{dashboard['base']}/review/procedures/tam-vang/review",
        data={"csrf": csrf_of(page.text), "checked_against": "  "},
    )
    assert empty.status_code == 400 and "Cần ghi rõ văn bản" in empty.text
    done = editor.post(
        f"{dashboard['base']}/review/procedures/tam-vang/review",
        data={"csrf": csrf_of(page.text), "checked_against": "Luật Cư trú 2020, Điều 31"},
    )
    assert done.status_code == 200 and done.url.endswith("#p-tam-vang")
    reviewed = row.search(done.text).group()
    assert 'data-testid="reviewed"' in reviewed and EDITOR in reviewed and "Luật Cư trú 2020, Điều 31" in reviewed
    # the viewer now sees it reviewed too, and the audit log names who did it
    assert (
        'data-testid="reviewed"'
        in row.search(viewer.get(f"{dashboard['base']}/review/procedures", params={"q": "tam-vang"}).text).group()
    )
    users = login(dashboard, ADMIN, ADMIN_PASSWORD).get(f"{dashboard['base']}/review/users").text
    assert "review-procedure" in users


def test_forms_without_csrf_are_refused(dashboard):
    admin = login(dashboard, ADMIN, ADMIN_PASSWORD)
    answer = admin.post(
        f"{dashboard['base']}/review/users", data={"username": "x", "password": "mat-khau-moi-123", "role": "admin"}
    )
    assert answer.status_code == 403 and "CSRF" in answer.text
    answer = admin.post(
        f"{dashboard['base']}/review/training/label",
        data={"csrf": "0" * 64, "event_id": "1", "sender_id": "rest-2", "intent": "greet"},
    )
    assert answer.status_code == 403


def test_overview_has_charts_and_filters(dashboard):
    viewer = login(dashboard, VIEWER, VIEWER_PASSWORD)
    page = viewer.get(f"{dashboard['base']}/review/", params={"from": "2026-11-19", "to": "2026-11-21"}).text
    assert page.count('<svg class="chart"') == 7
    assert 'data-testid="kpi-conversations">4<' in page
    only_zalo = viewer.get(
        f"{dashboard['base']}/review/", params={"from": "2026-11-19", "to": "2026-11-21", "channel": "zalo"}
    ).text
    assert 'data-testid="kpi-conversations">1<' in only_zalo


def test_overview_shows_replies_waiting_in_the_outbox(dashboard):
    store = OutboxStore(session_factory(dashboard["url"]))
    store.add("zalo", "zalo:u-9", {"text": "Lệ phí 200.000 đồng"}, "ClientConnectorError: unreachable")
    store.add("telegram", "telegram:9", {"text": "Xin chào"}, "NetworkError: Bad Gateway")
    viewer = login(dashboard, VIEWER, VIEWER_PASSWORD)
    assert 'data-testid="kpi-outbox">2<' in viewer.get(f"{dashboard['base']}/review/").text


def test_csv_exports_are_masked_and_complete(dashboard):
    viewer = login(dashboard, VIEWER, VIEWER_PASSWORD)
    answer = viewer.get(
        f"{dashboard['base']}/review/export/conversations.csv", params={"from": "2026-11-19", "to": "2026-11-21"}
    )
    assert answer.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["time", "conversation", "channel", "text"] and len(rows) == 7
    assert "001203004567" not in answer.text and "[CCCD]" in answer.text
    ratings = viewer.get(
        f"{dashboard['base']}/review/export/ratings.csv", params={"from": "2026-11-19", "to": "2026-11-21"}
    ).content.decode("utf-8-sig")
    assert "khó hiểu, gọi [SĐT]" in ratings
    unanswered = viewer.get(
        f"{dashboard['base']}/review/export/unanswered.csv", params={"from": "2026-11-19", "to": "2026-11-21"}
    ).content.decode("utf-8-sig")
    assert "bắn pháo hoa" in unanswered


def test_label_a_message_and_export_nlu_yaml(dashboard):
    viewer = login(dashboard, VIEWER, VIEWER_PASSWORD)
    transcript = viewer.get(f"{dashboard['base']}/review/conversations/rest-2")
    event_id = re.search(r'name="event_id" value="(\d+)"', transcript.text).group(1)
    answer = viewer.post(
        f"{dashboard['base']}/review/training/label",
        data={
            "csrf": csrf_of(transcript.text),
            "event_id": event_id,
            "sender_id": "rest-2",
            "intent": "out_of_scope",
            "procedure": "",
        },
    )
    assert answer.status_code == 200
    exported = viewer.get(f"{dashboard['base']}/review/training/export.yml")
    document = yaml.safe_load(exported.text)
    assert document["nlu"] == [{"intent": "out_of_scope", "examples": [{"text": "asdfgh qwe"}]}]


def test_transcript_shows_intent_confidence_buttons_and_ratings(dashboard):
    viewer = login(dashboard, VIEWER, VIEWER_PASSWORD)
    page = viewer.get(f"{dashboard['base']}/review/conversations/telegram:1").text
    assert "ask_fee" in page and "97%" in page and "Hồ sơ" in page
    assert "5/5" in page and "👎" in page and "nhanh" in page
    other = viewer.get(f"{dashboard['base']}/review/conversations/rest-2").text
    assert "5/5" not in other and "Chưa có đánh giá" in other
