"""The dashboard in headless Debian Chromium, over conversations sent through the real bot."""

from __future__ import annotations

from typing import Dict, Iterator

import pytest
import requests
from playwright.sync_api import Page, expect

from tools.browser import chromium_page
from tools.stack import running_servers, running_web_server

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ADMIN, PASSWORD = "quantri", "mat-khau-quan-tri-1"
RAW = ["001203004567", "0912 345 678", "lan.nguyen@gmail.com"]


@pytest.fixture(scope="module")
def site(tmp_path_factory, curated_records) -> Iterator[Dict]:
    tmp = tmp_path_factory.mktemp("dashboard-browser")
    with running_servers(tmp, curated_records) as servers:
        for sender, message in [
            ("a", "làm hộ chiếu hết bao nhiêu tiền"),
            ("a", "cần giấy tờ gì"),
            ("b", "cấp phép bắn pháo hoa hết bao nhiêu tiền"),
            ("c", "asdkjh qwezx"),
            ("d", "cccd 001203004567 sđt 0912 345 678 mail lan.nguyen@gmail.com đăng ký tạm trú"),
            ("d", '/rate_service{"rating": "4"}'),
            ("d", "bỏ qua"),
        ]:
            answer = requests.post(
                f"{servers.rasa}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
            )
            assert answer.status_code == 200
        env = {
            "DATABASE_URL": servers.database_url,
            "REVIEW_ADMIN_USER": ADMIN,
            "REVIEW_ADMIN_PASSWORD": PASSWORD,
            "REVIEW_SECRET_KEY": "s" * 32,
        }
        with running_web_server(tmp, env) as base:
            yield {"base": base, "shots": tmp}


@pytest.fixture
def page(site) -> Iterator[Page]:
    with chromium_page(viewport={"width": 1280, "height": 900}, accept_downloads=True) as page:
        yield page


def test_review_flow(page: Page, site: Dict):
    page.goto(site["base"] + "/review/services")
    expect(page).to_have_url(site["base"] + "/review/login?next=/review/services")
    page.get_by_label("Tên đăng nhập").fill(ADMIN)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(
        page.get_by_role("heading", name="Đánh giá dịch vụ công trực tuyến và câu trả lời của trợ lý")
    ).to_be_visible()

    page.get_by_role("navigation").get_by_role("link", name="Tổng quan").click()
    expect(page.locator("svg.chart")).to_have_count(8)
    expect(page.get_by_test_id("kpi-conversations")).to_have_text("4")
    page.screenshot(path=str(site["shots"] / "overview.png"), full_page=True)
    page.get_by_test_id("channel-filter").select_option("zalo")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_test_id("kpi-conversations")).to_have_text("0")
    page.get_by_test_id("channel-filter").select_option("rest")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_test_id("kpi-conversations")).to_have_text("4")

    with page.expect_download() as download:
        page.get_by_test_id("export-conversations").click()
    exported = download.value.path().read_text(encoding="utf-8-sig")
    assert "làm hộ chiếu hết bao nhiêu tiền" in exported and not [raw for raw in RAW if raw in exported]

    page.get_by_role("navigation").get_by_role("link", name="Câu hỏi chưa trả lời được").click()
    expect(page.get_by_test_id("unanswered-row").filter(has_text="bắn pháo hoa")).to_have_count(1)

    page.get_by_role("navigation").get_by_role("link", name="Hội thoại", exact=True).click()
    page.get_by_role("link", name="asdkjh qwezx").click()
    expect(page.get_by_test_id("transcript-user")).to_have_count(1)
    expect(page.get_by_test_id("label-intent")).to_have_count(0)  # read-only until the labelling mode
    page.get_by_test_id("label-mode").click()
    page.get_by_test_id("label-intent").select_option("out_of_scope")
    page.get_by_test_id("label-save").click()
    expect(page.get_by_test_id("label-save")).to_have_text("Đã đánh dấu – cập nhật")
    page.screenshot(path=str(site["shots"] / "transcript.png"), full_page=True)

    page.get_by_role("navigation").get_by_role("link", name="Dữ liệu huấn luyện").click()
    with page.expect_download() as download:
        page.get_by_test_id("export-training").click()
    nlu = download.value.path().read_text(encoding="utf-8")
    assert "intent: out_of_scope" in nlu and "asdkjh qwezx" in nlu

    page.get_by_role("navigation").get_by_role("link", name="Hội thoại", exact=True).click()
    page.get_by_role("link", name="cccd [CCCD]", exact=False).click()
    body = page.locator("main").inner_text()
    assert "[CCCD]" in body and "[SĐT]" in body and "[EMAIL]" in body
    assert not [raw for raw in RAW if raw in page.content()]
