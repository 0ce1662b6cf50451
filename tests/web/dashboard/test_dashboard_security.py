"""The dashboard's defences over real HTTP, behind a (simulated) TLS proxy: sessions that end on
log-out, hostile stored data, CSV formulas, Secure cookies, security headers, log-in CSRF and
throttling, a locked database and the access log."""

from __future__ import annotations

import codecs
import csv
import io
import re
import sqlite3
from typing import Dict, Iterator, List, Tuple

import pytest
import requests
import yaml
from sqlalchemy import select

from core.db import session_factory
from tests.web.dashboard.conftest import FORMULAS, add_hostile_rows, login, login_form_token, seed
from tools.browser import chromium_page
from tools.stack import running_web_server
from web.dashboard.accounts import AccountStore
from web.tables import AuditEntry

pytestmark = pytest.mark.e2e

ADMIN, ADMIN_PASSWORD = "quantri", "mat-khau-quan-tri-1"
VIEWER, VIEWER_PASSWORD = "truyenthong", "mat-khau-xem-1234"
RANGE = {"from": "2026-11-19", "to": "2026-11-21"}
WRONG = "Sai tên đăng nhập hoặc mật khẩu."
THROTTLED = "Bạn đã thử đăng nhập sai nhiều lần. Vui lòng thử lại sau ít phút."
FORM_EXPIRED = "Phiên đăng nhập đã hết hạn hoặc không hợp lệ. Vui lòng đăng nhập lại."
BUSY = "Hệ thống đang bận, vui lòng thử lại sau ít phút."
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@pytest.fixture(scope="module")
def guarded(tmp_path_factory) -> Iterator[Dict]:
    tmp = tmp_path_factory.mktemp("dashboard-security")
    url = seed(f"sqlite:///{tmp / 'review.db'}")
    add_hostile_rows(url)
    env = {
        "DATABASE_URL": url,
        "REVIEW_SECRET_KEY": "k" * 32,
        "REVIEW_ADMIN_USER": ADMIN,
        "REVIEW_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "PROXIES_COUNT": "1",
    }
    with running_web_server(tmp, env) as base:
        AccountStore(session_factory(url)).create(VIEWER, VIEWER_PASSWORD, "viewer")
        yield {"base": base, "url": url, "file": tmp / "review.db"}


@pytest.fixture(scope="module")
def admin(guarded) -> requests.Session:
    return login(guarded["base"], ADMIN, ADMIN_PASSWORD)


@pytest.fixture(scope="module")
def viewer(guarded) -> requests.Session:
    return login(guarded["base"], VIEWER, VIEWER_PASSWORD)


def cookie_named(answer: requests.Response, name: str) -> str:
    [cookie] = [c for c in answer.raw.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    return cookie


def attributes(cookie: str) -> Dict[str, str]:
    parts = [part.strip().partition("=") for part in cookie.split(";")[1:]]
    return {key.lower(): value for key, _, value in parts}


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


def attempt(base: str, username: str, password: str, source: str) -> requests.Response:
    """A log-in from client address ``source``, as the TLS proxy reports it."""
    client = requests.Session()
    client.headers["X-Forwarded-For"] = source
    return client.post(
        f"{base}/review/login",
        allow_redirects=False,
        data={"username": username, "password": password, "csrf": login_form_token(client, base)},
    )


def answer_of(answer: requests.Response) -> Tuple[int, str]:
    return answer.status_code, re.search(r'role="alert">([^<]*)<', answer.text).group(1)


def csv_rows(answer: requests.Response) -> List[Dict[str, str]]:
    assert answer.status_code == 200 and answer.content.startswith(codecs.BOM_UTF8)
    return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))


# ---- 1. log-out ends the session ---------------------------------------------------------------
def test_logout_ends_the_session_on_the_server(guarded):
    client = login(guarded["base"], VIEWER, VIEWER_PASSWORD)
    copied = client.cookies.get("review_session")
    page = client.get(f"{guarded['base']}/review/")
    assert (
        client.post(
            f"{guarded['base']}/review/logout", data={"csrf": csrf_of(page.text)}, allow_redirects=False
        ).status_code
        == 302
    )
    replayed = requests.get(f"{guarded['base']}/review/", cookies={"review_session": copied}, allow_redirects=False)
    assert replayed.status_code == 302 and replayed.headers["Location"].startswith("/review/login")


def test_logout_clears_the_cookie_with_the_path_it_was_set_with(guarded):
    client = login(guarded["base"], VIEWER, VIEWER_PASSWORD)
    page = client.get(f"{guarded['base']}/review/")
    answer = client.post(f"{guarded['base']}/review/logout", data={"csrf": csrf_of(page.text)}, allow_redirects=False)
    cleared = attributes(cookie_named(answer, "review_session"))
    assert cleared["path"] == "/review" and cleared["max-age"] == "0"
    assert cleared["samesite"] == "Strict" and "httponly" in cleared
    # the client's cookie jar, like a browser, dropped the cookie
    assert client.get(f"{guarded['base']}/review/", allow_redirects=False).status_code == 302


# ---- 2. whatever is stored renders -------------------------------------------------------------
@pytest.mark.parametrize(
    "path, expected",
    [
        ("/review/", '<svg class="chart"'),
        ("/review/?channel=rest", '<svg class="chart"'),
        ("/review/conversations", "giấy tờ gì"),
        ("/review/conversations?flag=low_confidence", "giấy tờ gì"),
        ("/review/conversations/rest-hostile", "câu hỏi lạ"),
        ("/review/unanswered", "câu hỏi lạ"),
        ("/review/services", "chậm quá"),
        ("/review/training", "giấy tờ gì"),
        ("/review/users", ADMIN),
        ("/review/export/conversations.csv", "giấy tờ gì"),
        ("/review/export/feedback.csv", "chậm quá"),
        ("/review/export/surveys.csv", "Mã cuộc trò chuyện"),
        ("/review/export/unanswered.csv", "câu hỏi lạ"),
        ("/review/training/export.yml", "giấy tờ gì"),
    ],
)
def test_hostile_stored_data_renders_on_every_page_and_export(guarded, admin, path, expected):
    answer = admin.get(guarded["base"] + path, params=RANGE)
    body = answer.content.decode("utf-8-sig")
    assert answer.status_code == 200, body[:300]
    assert expected in body and not UNPRINTABLE.search(body)


def test_object_fields_are_exported_as_text(guarded, admin):
    rows = csv_rows(admin.get(f"{guarded['base']}/review/export/conversations.csv", params=RANGE))
    [hostile] = [row for row in rows if row["Tin nhắn của người dân"] == "giấy tờ gì"]
    assert (
        hostile["Mã cuộc trò chuyện"],
        hostile["Kênh"],
        hostile["Ý định"],
        hostile["Độ tin cậy"],
        hostile["Mã thủ tục"],
        hostile["Kết quả trả lời"],
    ) == ("rest-hostile", '{"a": 1}', '{"x": 1}', "0%", '{"a": [1]}', '["not_found"]')
    [controlled] = [row for row in rows if row["Mã cuộc trò chuyện"] == "rest-ctl"]
    assert controlled["Tin nhắn của người dân"] == "tab\tvà\nxuống dòng"
    nlu = yaml.safe_load(admin.get(f"{guarded['base']}/review/training/export.yml").text)
    assert {"text": "giấy tờ gì"} in nlu["nlu"][0]["examples"]


# ---- 3. no spreadsheet formulas in CSV ---------------------------------------------------------
@pytest.mark.parametrize(
    "export, column",
    [("conversations.csv", "Tin nhắn của người dân"), ("feedback.csv", "Góp ý"), ("unanswered.csv", "Câu hỏi")],
)
def test_csv_exports_neutralise_formulas(guarded, admin, export, column):
    rows = csv_rows(admin.get(f"{guarded['base']}/review/export/{export}", params=RANGE))
    assert {"'" + formula for formula in FORMULAS} <= {row[column] for row in rows}
    assert not [cell for row in rows for cell in row.values() if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


# ---- 4. Secure cookies behind the TLS proxy ----------------------------------------------------
def test_cookies_are_secure_behind_the_proxy(guarded):
    proxy = {"X-Forwarded-For": "203.0.113.40", "X-Forwarded-Proto": "https"}
    form = requests.get(f"{guarded['base']}/review/login", headers=proxy)
    form_cookie = cookie_named(form, "review_login")
    assert "secure" in attributes(form_cookie)
    # a client does not send a Secure cookie over plain http; the proxy would, over https
    answer = requests.post(
        f"{guarded['base']}/review/login",
        allow_redirects=False,
        headers={**proxy, "Cookie": form_cookie.split(";")[0]},
        data={"username": VIEWER, "password": VIEWER_PASSWORD, "csrf": csrf_of(form.text)},
    )
    assert answer.status_code == 302 and "secure" in attributes(cookie_named(answer, "review_session"))


# ---- 5. security headers on every dashboard response -------------------------------------------
@pytest.mark.parametrize(
    "who, method, path, status",
    [
        (None, "GET", "/review/login", 200),
        (None, "GET", "/review/", 302),
        (None, "POST", "/review/login", 403),
        (None, "GET", "/review/no-such-page", 404),
        ("admin", "GET", "/review/", 200),
        ("admin", "GET", "/review/conversations/rest-hostile", 200),
        ("admin", "GET", "/review/conversations/no-such-conversation", 404),
        ("viewer", "GET", "/review/users", 403),
        ("admin", "GET", "/review/export/conversations.csv", 200),
        ("admin", "GET", "/review/training/export.yml", 200),
    ],
)
def test_security_headers_on_every_response(guarded, request, who, method, path, status):
    client = request.getfixturevalue(who) if who else requests.Session()
    answer = client.request(method, guarded["base"] + path, allow_redirects=False)
    assert answer.status_code == status
    headers = answer.headers
    assert (
        headers["X-Frame-Options"],
        headers["Referrer-Policy"],
        headers["X-Content-Type-Options"],
        headers["Cache-Control"],
    ) == ("DENY", "no-referrer", "nosniff", "no-store")
    policy = headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy
    style = re.search(r'<style nonce="([^"]+)">', answer.text)
    if style:  # the dashboard's own pages: their one inline style is allowed by its nonce
        assert f"'nonce-{style.group(1)}'" in policy


@pytest.mark.browser
def test_pages_keep_their_styles_under_the_policy(guarded):
    """The nonce really lets the stylesheet through in Chromium, and logging in works there."""
    with chromium_page() as page:
        violations = []
        page.on(
            "console",
            lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
        )
        page.goto(guarded["base"] + "/review/login")
        page.get_by_label("Tên đăng nhập").fill(VIEWER)
        page.get_by_label("Mật khẩu").fill(VIEWER_PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(guarded["base"] + "/review/")
        background = page.locator("header.top").evaluate("element => getComputedStyle(element).backgroundColor")
        assert background == "rgb(143, 0, 0)" and violations == []


# ---- 6. log-in CSRF ----------------------------------------------------------------------------
def test_login_needs_the_token_of_its_own_form(guarded):
    login_url = f"{guarded['base']}/review/login"
    credentials = {"username": ADMIN, "password": ADMIN_PASSWORD}
    bare = requests.post(login_url, data=credentials, allow_redirects=False)
    assert answer_of(bare) == (403, FORM_EXPIRED) and "review_session=" not in bare.headers["Set-Cookie"]
    client, other = requests.Session(), requests.Session()
    token = login_form_token(client, guarded["base"])
    form_cookie = attributes(cookie_named(client.get(login_url), "review_login"))
    assert form_cookie["path"] == "/review" and form_cookie["samesite"] == "Strict" and "httponly" in form_cookie
    assert client.post(login_url, data={**credentials, "csrf": "0" * 64}, allow_redirects=False).status_code == 403
    login_form_token(other, guarded["base"])
    assert other.post(login_url, data={**credentials, "csrf": token}, allow_redirects=False).status_code == 403
    assert client.post(login_url, data={**credentials, "csrf": token}, allow_redirects=False).status_code == 302


# ---- 7. throttling by source, not locking the account ------------------------------------------
def test_failed_logins_from_one_source_do_not_lock_the_admin_out(guarded):
    statuses = [attempt(guarded["base"], ADMIN, "sai-mat-khau-roi", "203.0.113.10").status_code for _ in range(10)]
    assert attempt(guarded["base"], ADMIN, ADMIN_PASSWORD, "203.0.113.11").status_code == 302
    assert statuses == [401] * 5 + [429] * 5


def test_unknown_and_known_names_get_the_same_answers(guarded):
    known = [answer_of(attempt(guarded["base"], VIEWER, "sai-mat-khau-roi", "203.0.113.20")) for _ in range(6)]
    unknown = [
        answer_of(attempt(guarded["base"], "khong-ton-tai", "sai-mat-khau-roi", "203.0.113.21")) for _ in range(6)
    ]
    assert known == unknown
    assert known[0] == (401, WRONG) and known[-1] == (429, THROTTLED)


def test_a_throttled_source_gets_429_even_with_the_right_password(guarded):
    for _ in range(5):
        assert attempt(guarded["base"], "ai-do", "sai-mat-khau-roi", "203.0.113.30").status_code == 401
    throttled = attempt(guarded["base"], VIEWER, VIEWER_PASSWORD, "203.0.113.30")
    assert answer_of(throttled) == (429, THROTTLED)
    assert int(throttled.headers["Retry-After"]) > 0
    assert attempt(guarded["base"], VIEWER, VIEWER_PASSWORD, "203.0.113.31").status_code == 302


# ---- 8. a locked database ----------------------------------------------------------------------
def test_locked_database_gives_a_polite_503(guarded, admin):
    client = requests.Session()
    token = login_form_token(client, guarded["base"])
    lock = sqlite3.connect(guarded["file"], isolation_level=None)
    try:
        lock.execute("BEGIN EXCLUSIVE")
        logged_in = client.post(
            f"{guarded['base']}/review/login",
            allow_redirects=False,
            timeout=60,
            data={"username": VIEWER, "password": VIEWER_PASSWORD, "csrf": token},
        )
        page = admin.get(f"{guarded['base']}/review/", timeout=60)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    for answer in (logged_in, page):
        assert answer_of(answer) == (503, BUSY) and int(answer.headers["Retry-After"]) > 0
    assert admin.get(f"{guarded['base']}/review/").status_code == 200


# ---- 10. every page view in the access log -----------------------------------------------------
@pytest.mark.parametrize(
    "path, action",
    [
        ("/review/", "view"),
        ("/review/conversations", "view"),
        ("/review/conversations/rest-hostile", "view"),
        ("/review/unanswered", "view"),
        ("/review/services", "view"),
        ("/review/training", "view"),
        ("/review/users", "view"),
        ("/review/export/conversations.csv", "export"),
        ("/review/export/feedback.csv", "export"),
        ("/review/export/surveys.csv", "export"),
        ("/review/export/unanswered.csv", "export"),
        ("/review/reports/week/xlsx", "export"),
        ("/review/training/export.yml", "export"),
    ],
)
def test_every_page_view_is_audited(guarded, admin, path, action):
    def entries() -> List[str]:
        with session_factory(guarded["url"])() as session:
            return list(
                session.execute(
                    select(AuditEntry.action)
                    .where(AuditEntry.username == ADMIN, AuditEntry.target == path)
                    .order_by(AuditEntry.id)
                ).scalars()
            )

    before = entries()
    assert admin.get(guarded["base"] + path).status_code == 200
    assert entries() == before + [action]


def test_oversized_bodies_are_refused_before_they_are_read(guarded):
    answer = requests.post(f"{guarded['base']}/review/login", data={"username": "x" * 200_000, "password": "y"})
    assert answer.status_code == 413
