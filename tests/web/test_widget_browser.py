"""The portal widget in headless Debian Chromium (Playwright), against the real Rasa and action servers."""

from __future__ import annotations

import re
from typing import Dict, Iterator

import pytest
import requests
from playwright.sync_api import Page, expect
from sqlalchemy import select

from actions.stores.tables import AnswerFeedback, ServiceSurvey
from core.db import session_factory
from tools.browser import chromium_page
from tools.stack import free_port, running_servers, running_web_server

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def site(tmp_path_factory, curated_records) -> Iterator[Dict]:
    tmp = tmp_path_factory.mktemp("widget")
    web_port = free_port()
    origin = f"http://127.0.0.1:{web_port}"
    with running_servers(tmp, curated_records, {"WIDGET_ALLOWED_ORIGINS": origin}) as servers:
        with running_web_server(tmp, {"PUBLIC_RASA_URL": servers.rasa}, port=web_port):
            yield {"origin": origin, "servers": servers, "shots": tmp}


@pytest.fixture
def page(site) -> Iterator[Page]:
    with chromium_page(viewport={"width": 1280, "height": 800}) as page:
        yield page


def open_chat(page: Page, site: Dict) -> None:
    page.goto(site["origin"] + "/")
    page.get_by_test_id("chat-launcher").click()
    expect(page.get_by_test_id("chat-input")).to_be_visible()


def ask(page: Page, text: str) -> None:
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("chat-send").click()


def test_ask_fee_quick_reply_reload_history_feedback_and_survey(page: Page, site: Dict):
    open_chat(page, site)
    expect(page.locator(".dvc-notice")).to_be_visible()
    ask(page, "làm hộ chiếu hết bao nhiêu tiền")
    answer = page.get_by_test_id("bot-message").filter(has_text="200.000 đồng")
    expect(answer).to_have_count(1, timeout=30_000)
    link = answer.locator("a").first
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("target", "_blank")
    page.screenshot(path=str(site["shots"] / "1-fee.png"))

    answer.get_by_test_id("quick-reply").filter(has_text="Hồ sơ").click()
    expect(page.get_by_test_id("bot-message").filter(has_text="Hồ sơ cần chuẩn bị")).to_have_count(1, timeout=30_000)
    used = answer.get_by_test_id("quick-reply")
    for number in range(used.count()):
        expect(used.nth(number)).to_be_disabled()  # a group answers once
    expect(used.filter(has_text="Hồ sơ")).to_have_class(re.compile("dvc-chosen"))
    latest = page.get_by_test_id("bot-message").filter(has_text="Hồ sơ cần chuẩn bị")
    expect(latest.get_by_test_id("quick-reply").first).to_be_enabled()

    page.reload()
    page.get_by_test_id("chat-launcher").click()
    expect(page.get_by_test_id("bot-message").filter(has_text="200.000 đồng")).to_have_count(1)
    expect(page.get_by_test_id("user-message").filter(has_text="làm hộ chiếu hết bao nhiêu tiền")).to_have_count(1)
    reloaded = page.get_by_test_id("bot-message").filter(has_text="200.000 đồng").get_by_test_id("quick-reply")
    expect(reloaded.first).to_be_disabled()  # still used after a reload
    at_bottom = page.locator(".dvc-list").evaluate("l => l.scrollHeight - l.scrollTop - l.clientHeight < 2")
    assert at_bottom, "the panel opens at the latest message"
    page.screenshot(path=str(site["shots"] / "2-after-reload.png"))

    # 👍/👎 sit on the answer, pressed state kept, changeable: one row for that answer.
    rated = page.get_by_test_id("bot-message").filter(has_text="200.000 đồng")
    rated.get_by_test_id("answer-down").click()
    expect(page.get_by_test_id("bot-message").filter(has_text="chưa tốt ở điểm nào")).to_have_count(1, timeout=30_000)
    expect(rated.get_by_test_id("answer-down")).to_have_attribute("aria-pressed", "true")
    rated.get_by_test_id("answer-up").click()
    expect(page.get_by_test_id("bot-message").filter(has_text="Cảm ơn bạn đã cho biết")).to_have_count(
        1, timeout=30_000
    )
    expect(rated.get_by_test_id("answer-down")).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_test_id("user-message").filter(has_text="👍")).to_have_count(0)  # no bubble for a thumb
    with session_factory(site["servers"].database_url)() as session:
        thumbs = [
            (r.helpful, r.channel, r.procedure_id, r.intent)
            for r in session.execute(select(AnswerFeedback).where(AnswerFeedback.procedure_id == "ho-chieu")).scalars()
        ]
    assert thumbs == [(True, "socketio", "ho-chieu", "ask_fee")]

    # Closing the panel ends the conversation: the service survey waits when it is opened again.
    page.get_by_role("button", name="Đóng trợ lý").click()
    page.get_by_test_id("chat-launcher").click()
    expect(page.get_by_test_id("bot-message").filter(has_text="(1/5)")).to_have_count(1, timeout=30_000)
    page.screenshot(path=str(site["shots"] / "3-survey.png"))
    page.get_by_role("button", name="Chấm 5 trên 5 điểm").last.click()
    for number in range(2, 6):
        question = page.get_by_test_id("bot-message").filter(has_text=f"({number}/5)")
        expect(question).to_have_count(1, timeout=30_000)
        question.get_by_test_id("quick-reply").filter(has_text="Bỏ qua").click()
    expect(page.get_by_test_id("bot-message").filter(has_text="Cảm ơn bạn đã đánh giá dịch vụ công")).to_have_count(
        1, timeout=30_000
    )
    with session_factory(site["servers"].database_url)() as session:
        surveys = [
            (r.overall, r.submitting_online, r.channel, r.procedure_id, r.trigger)
            for r in session.execute(select(ServiceSurvey)).scalars()
        ]
    assert (5, None, "socketio", "ho-chieu", "closed") in surveys


def test_text_is_never_html_and_new_conversation_starts_fresh(page: Page, site: Dict):
    open_chat(page, site)
    ask(page, "<b>đậm</b><img src=x onerror=alert(1)>")
    expect(page.get_by_test_id("user-message").last).to_have_text("<b>đậm</b><img src=x onerror=alert(1)>")
    assert page.locator(".dvc-list b, .dvc-list img").count() == 0
    expect(page.get_by_test_id("bot-message").last).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Bắt đầu cuộc trò chuyện mới").click()
    expect(page.get_by_test_id("user-message")).to_have_count(0)


def test_works_at_320_pixels_and_with_the_keyboard(page: Page, site: Dict):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(site["origin"] + "/")
    page.get_by_test_id("chat-launcher").focus()
    page.keyboard.press("Enter")
    box = page.locator(".dvc-panel").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320
    expect(page.get_by_test_id("bot-message").filter(has_text="Xin chào")).to_have_count(1, timeout=30_000)
    page.keyboard.type("xin chào")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("bot-message").filter(has_text="Xin chào")).to_have_count(2, timeout=30_000)
    expect(page.get_by_role("log")).to_be_visible()
    page.screenshot(path=str(site["shots"] / "4-320px.png"))
    page.keyboard.press("Escape")
    expect(page.locator(".dvc-panel")).to_be_hidden()


def test_the_first_screen_greets_with_topics_and_leads_to_the_guide(page: Page, site: Dict):
    open_chat(page, site)
    greeting = page.get_by_test_id("bot-message").filter(has_text="Tôi là trợ lý ảo")
    expect(greeting).to_have_count(1, timeout=30_000)
    expect(page.get_by_test_id("user-message")).to_have_count(0)  # the greeting asks nothing of the citizen
    topics = greeting.get_by_test_id("quick-reply")
    expect(topics).to_have_count(6)
    page.screenshot(path=str(site["shots"] / "5-first-screen.png"))
    topics.filter(has_text="Hướng dẫn dịch vụ công trực tuyến").click()
    menu = page.get_by_test_id("bot-message").filter(has_text="Bạn cần hướng dẫn về việc gì")
    expect(menu).to_have_count(1, timeout=30_000)
    menu.get_by_test_id("quick-reply").filter(has_text="Thanh toán phí, lệ phí").click()
    entry = page.get_by_test_id("bot-message").filter(has_text="Thanh toán phí, lệ phí trực tuyến")
    expect(entry).to_have_count(1, timeout=30_000)
    expect(entry).to_contain_text("Nguồn chính thức:")
    page.reload()
    page.get_by_test_id("chat-launcher").click()
    expect(page.get_by_test_id("bot-message").filter(has_text="Tôi là trợ lý ảo")).to_have_count(1)  # not greeted twice


def test_a_walkthrough_to_the_end_with_a_failed_step_leading_to_the_guide(page: Page, site: Dict):
    open_chat(page, site)
    ask(page, "làm hộ chiếu online được không")
    online = page.get_by_test_id("bot-message").filter(has_text="Làm trực tuyến – Cấp hộ chiếu")
    expect(online).to_have_count(1, timeout=30_000)
    online.get_by_test_id("quick-reply").filter(has_text="Hướng dẫn từng bước").click()
    for question in ("VNeID mức độ 2", "ảnh chụp hoặc bản scan", "thẻ, tài khoản ngân hàng"):
        asked = page.get_by_test_id("bot-message").filter(has_text=question)
        expect(asked).to_have_count(1, timeout=30_000)
        asked.get_by_role("button", name="Có", exact=True).click()
    first = page.get_by_test_id("bot-message").filter(has_text="Bước 1/")
    expect(first).to_have_count(1, timeout=30_000)
    total = int(re.search(r"Bước 1/(\d+)", first.inner_text()).group(1))
    page.screenshot(path=str(site["shots"] / "6-walkthrough-step.png"))
    first.get_by_test_id("quick-reply").filter(has_text="Tôi gặp lỗi ở bước này").click()
    helped = page.get_by_test_id("bot-message").filter(
        has_text="Đăng nhập Cổng Dịch vụ công quốc gia bằng tài khoản VNeID"
    )
    expect(helped).to_have_count(1, timeout=30_000)
    helped.get_by_test_id("quick-reply").filter(has_text="Tiếp theo").click()
    for number in range(2, total + 1):
        step = page.get_by_test_id("bot-message").filter(has_text=f"Bước {number}/{total}:")
        expect(step).to_have_count(1, timeout=30_000)
        step.get_by_test_id("quick-reply").filter(has_text="Tiếp theo").click()
    expect(page.get_by_test_id("bot-message").filter(has_text="Bạn đã đi hết các bước")).to_have_count(
        1, timeout=30_000
    )


def test_an_unreachable_server_gets_a_clear_message_and_a_retry(page: Page, site: Dict):
    dead = f"http://127.0.0.1:{free_port()}"

    def unreachable_server(route):
        html = route.fetch().text()
        html = re.sub(r'data-server="[^"]*"', f'data-server="{dead}" data-reply-timeout="3000"', html)
        route.fulfill(body=html, content_type="text/html; charset=utf-8")

    page.route(site["origin"] + "/", unreachable_server)
    open_chat(page, site)
    ask(page, "làm hộ chiếu cần gì")
    expect(page.get_by_test_id("chat-status")).to_contain_text("Không kết nối được với trợ lý", timeout=15_000)
    retry = page.get_by_test_id("chat-retry")
    expect(retry).to_be_visible()
    expect(page.locator(".dvc-typing")).to_be_hidden()
    retry.click()
    expect(retry).to_be_hidden()  # waiting again; the message is kept, never dropped
    expect(page.get_by_test_id("chat-status")).to_contain_text("Không kết nối được với trợ lý", timeout=15_000)
    expect(page.get_by_test_id("user-message").filter(has_text="làm hộ chiếu cần gì")).to_have_count(1)


def test_on_a_phone_the_open_panel_fills_the_screen(site: Dict):
    with chromium_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True) as page:
        open_chat(page, site)
        box = page.locator(".dvc-panel").bounding_box()
        assert box and (round(box["x"]), round(box["y"]), round(box["width"]), round(box["height"])) == (0, 0, 390, 844)
        expect(page.get_by_test_id("chat-launcher")).to_be_hidden()
        page.get_by_role("button", name="Đóng trợ lý").click()
        expect(page.get_by_test_id("chat-launcher")).to_be_visible()


def test_socketio_refuses_other_origins(site: Dict):
    url = f"{site['servers'].rasa}/socket.io/?EIO=4&transport=polling"
    assert requests.get(url, headers={"Origin": "http://evil.example"}, timeout=10).status_code == 400
    assert requests.get(url, headers={"Origin": site["origin"]}, timeout=10).status_code == 200
