"""The dashboard over real HTTP: log-in, roles, CSRF, exports, training labels."""

from __future__ import annotations

import csv
import io
import re
from typing import Dict, Iterator, List

import pytest
import requests
import yaml
from openpyxl import load_workbook

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
        "/review/export/feedback.csv",
        "/review/export/surveys.csv",
        "/review/export/unanswered.csv",
        "/review/reports/week/xlsx",
        "/review/reports/month/pdf",
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
    assert page.count('<svg class="chart"') == 8  # seven charts, and hand-off requests per day
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
    assert rows[0][:4] == ["Thời gian", "Mã cuộc trò chuyện", "Kênh", "Tin nhắn của người dân"] and len(rows) == 7
    assert "001203004567" not in answer.text and "[CCCD]" in answer.text
    feedback = csv_table(viewer, dashboard, "feedback.csv")
    assert feedback[0][:3] == ["Thời gian", "Mã cuộc trò chuyện", "Kênh"] and len(feedback) == 4
    [explained] = [row for row in feedback if row[1] == "web-4"]
    assert explained[0] == "20/11/2026 16:10" and explained[2] == "Web (cổng thông tin)", "Vietnam time, plain words"
    assert explained[6:] == ["Chưa hữu ích", "Khó hiểu", "khó hiểu, gọi [SĐT]"]
    surveys = csv_table(viewer, dashboard, "surveys.csv")
    assert surveys[0][7:] == [
        "Đánh giá chung (1–5)",
        "Tìm thông tin (1–5)",
        "Nộp hồ sơ trực tuyến (1–5)",
        "Thời gian so với hẹn (1–5)",
        "Chi phí đúng công bố (1–5)",
    ]
    [residence] = [row for row in surveys if row[1] == "web-4"]
    assert residence[3:] == ["tam-tru", "Đăng ký tạm trú", "Cư trú", "cấp xã", "2", "1", "", "", ""]
    unanswered = csv_table(viewer, dashboard, "unanswered.csv")
    assert unanswered[0] == ["Câu hỏi", "Số lần", "Gần nhất", "Lý do"]
    assert ["cấp phép bắn pháo hoa", "2"] in [row[:2] for row in unanswered]


def csv_table(client: requests.Session, dashboard: Dict, name: str) -> List[List[str]]:
    answer = client.get(f"{dashboard['base']}/review/export/{name}", params={"from": "2026-11-19", "to": "2026-11-21"})
    assert answer.status_code == 200 and answer.headers["Content-Disposition"].startswith("attachment")
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_services_page_shows_both_evaluations_with_n_and_intervals(dashboard):
    viewer = login(dashboard, VIEWER, VIEWER_PASSWORD)
    page = viewer.get(f"{dashboard['base']}/review/services", params={"from": "2026-11-19", "to": "2026-11-21"}).text
    assert 'data-testid="service-overall">3,5 (1,0–5,0; n = 2)<' in page
    assert 'data-testid="answers-helpful">33% (6–79%; n = 3)<' in page
    assert page.count('data-testid="service-row"') == 2 and page.count("chưa xếp hạng") == 2
    assert "Xuất nhập cảnh · cấp tỉnh" in page and "Cư trú · cấp xã" in page
    assert "khoảng tin cậy 95%" in page and "không phải mẫu đại diện" in page
    assert "Thiếu thông tin: 1" in page and "Tuần 47/2026" in page and "Tháng 11/2026" in page


def test_a_reviewer_downloads_the_report_with_the_pages_figures(dashboard):
    viewer = login(dashboard, VIEWER, VIEWER_PASSWORD)
    answer = viewer.get(
        f"{dashboard['base']}/review/reports/range/xlsx", params={"from": "2026-11-19", "to": "2026-11-21"}
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == 'attachment; filename="bao-cao-2026-11-19_2026-11-21.xlsx"'
    book = load_workbook(io.BytesIO(answer.content))
    overview = {row[0]: row for row in book["Tổng quan"].iter_rows(values_only=True)}
    assert overview["Điểm chung (1–5)"][5] == "3,5 (1,0–5,0; n = 2)"
    assert overview["Tỷ lệ câu trả lời được đánh giá hữu ích (👍)"][5] == "33% (6–79%; n = 3)"
    pdf = viewer.get(f"{dashboard['base']}/review/reports/week/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert viewer.get(f"{dashboard['base']}/review/reports/year/pdf").status_code == 404
    users = login(dashboard, ADMIN, ADMIN_PASSWORD).get(f"{dashboard['base']}/review/users").text
    assert "/review/reports/range/xlsx?from=2026-11-19&amp;to=2026-11-21" in users


def test_label_a_message_and_export_nlu_yaml(dashboard):
    viewer = login(dashboard, VIEWER, VIEWER_PASSWORD)
    transcript = viewer.get(f"{dashboard['base']}/review/conversations/rest-2", params={"mode": "label"})
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
    assert "Hỏi phí, lệ phí" in page and "97%" in page and "Hồ sơ" in page
    # each 👍/👎 under the answer it rates, with the reason in words; the service survey below
    feedback = re.findall(r'data-testid="turn-feedback">([^<]*)<', page)
    assert [" ".join(text.split()) for text in feedback] == [
        "Người dân đánh giá câu trả lời: 👍 hữu ích",
        "Người dân đánh giá câu trả lời: 👎 chưa hữu ích – Thiếu thông tin",
    ]
    assert "Đánh giá chung 5/5; Tìm thông tin 4/5" in page and "missing_information" not in page
    other = viewer.get(f"{dashboard['base']}/review/conversations/rest-2").text
    assert "turn-feedback" not in other and "5/5" not in other and "Chưa có đánh giá" in other
