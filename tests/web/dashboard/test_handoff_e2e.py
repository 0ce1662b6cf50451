"""Live hand-off end to end: the real Rasa, action and web servers, Telegram and Zalo through their fake
APIs, the widget and the officer's page in Chromium; in office hours (an officer takes over) and out
of them (a callback, its number encrypted, the tracker masked)."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import select

from actions.stores.handoff import ANSWERED, CLOSED, TAKEN, HandoffQueue, Ticket
from actions.stores.tables import CallbackRequest
from core.db import session_factory
from core.field_cipher import FieldCipher
from core.settings import VIETNAM_TIME
from tests.conftest import wait_until
from tests.fakes.messengers import fake_messengers
from tests.fakes.telegram_api import text_update
from tests.fakes.zalo_api import signed_event, text_event
from tests.web.dashboard.conftest import login
from tools.browser import chromium_pages
from tools.stack import TOKEN, free_port, running_servers, running_web_server
from web.dashboard.accounts import AccountStore
from web.dashboard.takeover import HANDED_BACK, JOINED, OFFICER_PREFIX
from web.tables import AuditEntry

pytestmark = pytest.mark.e2e

BOT_TOKEN, TG_SECRET = "777:HANDOFF-token", "handoff-webhook-secret"
APP_ID, OA_SECRET, APP_SECRET = "app-handoff", "oa-secret-handoff", "app-secret-handoff"
ADMIN, ADMIN_PASSWORD = "quantri", "mat-khau-quan-tri-1"
OFFICERS = {"canbo1": "mat-khau-can-bo-1", "canbo2": "mat-khau-can-bo-2"}
VIEWER, VIEWER_PASSWORD = "truyenthong", "mat-khau-xem-1234"


@pytest.fixture(scope="module")
def stack_env(tmp_path_factory) -> Dict[str, str]:
    holidays = tmp_path_factory.mktemp("holidays") / "none.yml"
    holidays.write_text("holidays: []\n", encoding="utf-8")
    return {"HOLIDAYS_FILE": str(holidays), "REVIEW_SECRET_KEY": "h" * 32}


def start_desk(tmp: Path, records, env: Dict[str, str]) -> Iterator[Dict]:
    """Rasa and actions with Telegram and Zalo on fake APIs, and the web server talking to that Rasa."""
    web_port = free_port()
    origin = f"http://127.0.0.1:{web_port}"
    with fake_messengers(BOT_TOKEN, TG_SECRET, APP_ID, OA_SECRET, APP_SECRET) as (telegram, zalo, messenger_env):
        full_env = {**messenger_env, "WIDGET_ALLOWED_ORIGINS": origin, **env}
        with running_servers(tmp, records, full_env) as servers:
            web_env = {
                **full_env,
                "DATABASE_URL": servers.database_url,
                "RASA_URL": servers.rasa,
                "RASA_API_TOKEN": TOKEN,
                "PUBLIC_RASA_URL": servers.rasa,
                "REVIEW_ADMIN_USER": ADMIN,
                "REVIEW_ADMIN_PASSWORD": ADMIN_PASSWORD,
            }
            with running_web_server(tmp, web_env, port=web_port) as base:
                accounts = AccountStore(session_factory(servers.database_url))
                for name, password in OFFICERS.items():
                    accounts.create(name, password, "officer")
                accounts.create(VIEWER, VIEWER_PASSWORD, "viewer")
                yield {
                    "base": base,
                    "origin": origin,
                    "servers": servers,
                    "telegram": telegram,
                    "zalo": zalo,
                    "queue": HandoffQueue(session_factory(servers.database_url)),
                    "tmp": tmp,
                }


@pytest.fixture(scope="module")
def desk(tmp_path_factory, curated_records, stack_env) -> Iterator[Dict]:
    """In office hours, round the clock."""
    env = {**stack_env, "OFFICE_HOURS": "00:00-24:00", "OFFICE_WEEKDAYS": "1,2,3,4,5,6,7"}
    yield from start_desk(tmp_path_factory.mktemp("handoff-open"), curated_records, env)


def csrf_of(client: requests.Session, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text[:300]
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def act(client: requests.Session, base: str, ticket: int, what: str, **form: str) -> requests.Response:
    """An officer's button on the request's page, as the page's own JavaScript posts it."""
    token = csrf_of(client, f"{base}/review/handoff/{ticket}")
    return client.post(
        f"{base}/review/handoff/{ticket}/{what}",
        data={"csrf": token, **form},
        headers={"Accept": "application/json"},
        allow_redirects=False,
    )


def ticket_of(desk: Dict, conversation: str) -> Ticket:
    return wait_until(lambda: desk["queue"].open_for(conversation), 60, f"a request from {conversation}")


def live(client: requests.Session, base: str, ticket: int) -> List[Dict]:
    answer = client.get(f"{base}/review/handoff/{ticket}/messages.json", params={"after": 0})
    assert answer.status_code == 200, answer.text[:300]
    return answer.json()["messages"]


def audit_actions(desk: Dict) -> List[str]:
    with session_factory(desk["servers"].database_url)() as session:
        return [row.action for row in session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()]


# ---- Telegram ------------------------------------------------------------------------------------
def tg_post(desk: Dict, update_id: int, chat: int, text: str) -> None:
    answer = requests.post(
        f"{desk['servers'].rasa}/webhooks/telegram/webhook",
        json=text_update(update_id, chat, text),
        headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET},
        timeout=60,
    )
    assert answer.status_code == 200


def tg_texts(desk: Dict, chat: int) -> List[str]:
    return [call["text"] for call in desk["telegram"].delivered(chat)]


def test_telegram_takeover_live_both_ways_second_officer_refused_then_the_assistant_resumes(desk):
    base, chat, conversation = desk["base"], 7101, "telegram:7101"
    tg_post(desk, 1, chat, "cho tôi gặp cán bộ")
    wait_until(lambda: any("chuyển yêu cầu của bạn tới cán bộ trực" in t for t in tg_texts(desk, chat)))
    ticket = ticket_of(desk, conversation)
    first, second = (login(base, name, password) for name, password in OFFICERS.items())
    queue_page = first.get(f"{base}/review/handoff")
    assert f'data-ticket="{ticket.id}"' in queue_page.text and "Telegram" in queue_page.text
    assert first.get(f"{base}/review/handoff/count.json").json()["new"] >= 1

    assert act(first, base, ticket.id, "take").status_code == 200
    refused = act(second, base, ticket.id, "take")
    assert refused.status_code == 409 and "cán bộ khác" in refused.json()["error"]
    wait_until(lambda: JOINED in tg_texts(desk, chat), what="the joined message on Telegram")
    assert desk["queue"].get(ticket.id).status == TAKEN and desk["queue"].get(ticket.id).owner == "canbo1"

    sent_before = len(tg_texts(desk, chat))
    exchange = [
        ("Hồ sơ đất của tôi nộp tuần trước", "Chào chị, tôi kiểm tra giúp chị ngay."),
        ("Tôi nộp ở phường Bến Nghé", "Hồ sơ đang chờ ký, dự kiến thứ Sáu có kết quả."),
    ]
    for number, (citizen, officer) in enumerate(exchange, start=2):
        tg_post(desk, number, chat, citizen)
        wait_until(lambda: any(m["text"] == citizen for m in live(first, base, ticket.id)), what="the citizen, live")
        assert act(first, base, ticket.id, "reply", text=officer).status_code == 200
        wait_until(lambda: OFFICER_PREFIX + officer in tg_texts(desk, chat), what="the officer's reply on Telegram")
    # Only the officer spoke while they held the conversation: no answer, no "busy" from the assistant.
    assert tg_texts(desk, chat)[sent_before:] == [OFFICER_PREFIX + officer for _, officer in exchange]
    authors = [m["author"] for m in live(first, base, ticket.id)]
    assert authors.count("officer") == 3 and authors.count("citizen") >= 3  # joined + two replies

    assert act(second, base, ticket.id, "reply", text="xin chào").status_code == 409  # not theirs
    assert act(first, base, ticket.id, "hand-back").status_code == 200
    wait_until(lambda: HANDED_BACK in tg_texts(desk, chat), what="the hand-back message")
    assert desk["queue"].get(ticket.id).status == ANSWERED
    tg_post(desk, 9, chat, "làm hộ chiếu hết bao nhiêu tiền")
    wait_until(lambda: any("200.000 đồng" in t for t in tg_texts(desk, chat)), what="the assistant's answer")
    actions = audit_actions(desk)
    for expected in ("handoff.take", "handoff.take_refused", "handoff.reply", "handoff.hand_back"):
        assert expected in actions, actions
    assert actions.count("handoff.reply") == 2


def test_a_viewer_sees_the_queue_but_cannot_take(desk):
    base = desk["base"]
    tg_post(desk, 20, 7102, "cho tôi gặp cán bộ")
    ticket = ticket_of(desk, "telegram:7102")
    viewer = login(base, VIEWER, VIEWER_PASSWORD)
    assert viewer.get(f"{base}/review/handoff").status_code == 200
    refused = act(viewer, base, ticket.id, "take")
    assert refused.status_code == 403 and desk["queue"].get(ticket.id).status == "new"
    bad = login(base, *next(iter(OFFICERS.items())))
    token = csrf_of(bad, f"{base}/review/handoff/{ticket.id}")
    empty = bad.post(f"{base}/review/handoff/999999/take", data={"csrf": token}, headers={"Accept": "application/json"})
    assert empty.status_code == 404
    forged = bad.post(f"{base}/review/handoff/{ticket.id}/take", data={"csrf": "forged"})
    assert forged.status_code == 403 and desk["queue"].get(ticket.id).status == "new"


# ---- Zalo ----------------------------------------------------------------------------------------
def zalo_send(desk: Dict, user: str, text: str) -> None:
    body, headers = signed_event(APP_ID, OA_SECRET, text_event(APP_ID, user, text))
    answer = requests.post(f"{desk['servers'].rasa}/webhooks/zalo/webhook", data=body, headers=headers, timeout=60)
    assert answer.status_code == 200


def zalo_texts(desk: Dict, user: str) -> List[str]:
    return [message.get("text", "") for message in desk["zalo"].messages_to(user)]


def test_zalo_takeover_and_hand_back(desk):
    base, user = desk["base"], "u-handoff"
    zalo_send(desk, user, "cho tôi gặp cán bộ")
    wait_until(lambda: any("cán bộ trực" in t for t in zalo_texts(desk, user)), what="queued on Zalo")
    ticket = ticket_of(desk, f"zalo:{user}")
    officer = login(base, *next(iter(OFFICERS.items())))
    assert act(officer, base, ticket.id, "take").status_code == 200
    wait_until(lambda: JOINED in zalo_texts(desk, user), what="joined on Zalo")
    sent_before = len(zalo_texts(desk, user))
    zalo_send(desk, user, "tôi cần hỏi về giấy phép xây dựng")
    wait_until(lambda: any("giấy phép xây dựng" in m["text"] for m in live(officer, base, ticket.id)))
    assert act(officer, base, ticket.id, "reply", text="Anh cho tôi xin địa chỉ thửa đất.").status_code == 200
    wait_until(lambda: OFFICER_PREFIX + "Anh cho tôi xin địa chỉ thửa đất." in zalo_texts(desk, user))
    assert zalo_texts(desk, user)[sent_before:] == [OFFICER_PREFIX + "Anh cho tôi xin địa chỉ thửa đất."]
    too_long = act(officer, base, ticket.id, "reply", text="x" * 2001)
    assert too_long.status_code == 413 and "2000" in too_long.json()["error"]
    assert act(officer, base, ticket.id, "hand-back").status_code == 200
    wait_until(lambda: HANDED_BACK in zalo_texts(desk, user))


# ---- the widget and the officer's page, in two browsers ------------------------------------------
@pytest.mark.browser
def test_widget_citizen_and_officer_talk_live_then_the_assistant_answers_again(desk):
    with chromium_pages(2, viewport={"width": 1280, "height": 900}) as (citizen, officer):
        citizen.goto(desk["origin"] + "/")
        citizen.get_by_test_id("chat-launcher").click()

        def ask(text: str) -> None:
            citizen.get_by_test_id("chat-input").fill(text)
            citizen.get_by_test_id("chat-send").click()

        bot = citizen.get_by_test_id("bot-message")
        ask("cho tôi gặp cán bộ")
        expect(bot.filter(has_text="chuyển yêu cầu của bạn tới cán bộ trực")).to_have_count(1, timeout=30_000)

        officer.goto(desk["base"] + "/review/login")
        officer.fill("input[name=username]", "canbo2")
        officer.fill("input[name=password]", OFFICERS["canbo2"])
        officer.click("button[type=submit]")
        expect(officer.locator("#handoff-count")).not_to_have_text("0", timeout=15_000)
        officer.goto(desk["base"] + "/review/handoff?status=new")
        row = officer.get_by_test_id("handoff-queue").locator("tr", has_text="Web (cổng thông tin)").first
        expect(row).to_be_visible()
        row.get_by_role("link", name="Mở").click()
        officer.get_by_test_id("take").click()
        expect(officer.get_by_test_id("ticket-status")).to_have_text("Đang xử lý")
        expect(bot.filter(has_text=JOINED)).to_have_count(1, timeout=30_000)
        if os.environ.get("HANDOFF_SCREENSHOTS"):
            officer.screenshot(path=str(desk["tmp"] / "officer.png"))

        chat = officer.get_by_test_id("chat")
        for citizen_says, officer_says in (
            ("Tôi muốn hỏi hồ sơ đăng ký kết hôn", "Chào anh, anh đã nộp hồ sơ ở đâu ạ?"),
            ("Ở UBND phường, hôm thứ Hai", "Hồ sơ của anh sẽ có kết quả trong 3 ngày làm việc."),
        ):
            ask(citizen_says)
            expect(chat.locator("[data-author=citizen]", has_text=citizen_says)).to_have_count(1, timeout=15_000)
            expect(citizen.get_by_text("Không kết nối được với trợ lý")).to_have_count(0)
            officer.get_by_test_id("reply-text").fill(officer_says)
            officer.get_by_test_id("send").click()
            expect(bot.filter(has_text=OFFICER_PREFIX + officer_says)).to_have_count(1, timeout=15_000)
            expect(chat.locator("[data-author=officer]", has_text=officer_says)).to_have_count(1, timeout=15_000)
        # The assistant itself said nothing while the officer held the conversation.
        expect(bot.filter(has_text="hệ thống đang bận")).to_have_count(0)

        officer.get_by_test_id("hand-back").click()
        expect(officer.get_by_test_id("ticket-status")).to_have_text("Đã trả lời")
        expect(bot.filter(has_text=HANDED_BACK)).to_have_count(1, timeout=30_000)
        ask("làm hộ chiếu hết bao nhiêu tiền")
        expect(bot.filter(has_text="200.000 đồng")).to_have_count(1, timeout=30_000)


# ---- out of office hours: a callback ------------------------------------------------------------
@pytest.fixture(scope="module")
def closed_desk(tmp_path_factory, curated_records, stack_env) -> Iterator[Dict]:
    """Closed today and tomorrow (Vietnam time): the office opens the day after, at 07:30."""
    opens = (datetime.now(VIETNAM_TIME) + timedelta(days=2)).isoweekday()
    env = {**stack_env, "OFFICE_WEEKDAYS": str(opens)}
    yield from start_desk(tmp_path_factory.mktemp("handoff-closed"), curated_records, env)


def rest(desk: Dict, sender: str, message: str) -> List[Dict]:
    answer = requests.post(
        f"{desk['servers'].rasa}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


NUMBER_FORMS = ("0912345678", "0912 345 678", "912 345 678", "345 678", "345678")


def test_out_of_hours_the_callback_number_is_encrypted_the_tracker_masked_and_only_the_owner_sees_it(closed_desk):
    desk, sender = closed_desk, "callback-1"
    offer = rest(desk, sender, "cho tôi gặp cán bộ")
    assert offer[0]["text"].startswith("Hiện ngoài giờ làm việc") and "từ 07:30" in offer[0]["text"]
    assert [b["title"] for b in offer[0]["buttons"]] == ["Đồng ý, gọi lại cho tôi", "Không, cảm ơn"]
    asked = rest(desk, sender, offer[0]["buttons"][0]["payload"])
    assert asked[0]["text"].startswith("Mời bạn gõ số điện thoại")
    again = rest(desk, sender, "tôi không nhớ")
    assert again[0]["text"].startswith("Xin lỗi, tôi chưa nhận ra số điện thoại")
    saved = rest(desk, sender, "số của tôi là 0912 345 678 nhé")
    assert saved[0]["text"].startswith("Cảm ơn bạn. Cán bộ sẽ gọi lại số bạn vừa gửi từ 07:30")

    ticket = ticket_of(desk, sender)
    url = desk["servers"].database_url
    with session_factory(url)() as session:
        stored = session.execute(select(CallbackRequest).where(CallbackRequest.handoff_id == ticket.id)).scalar_one()
    key = FieldCipher(os.environ["CALLBACK_KEY"])
    assert key.decrypt(stored.phone_encrypted) == "0912345678" and stored.phone_hint == "678"
    tracker = requests.get(
        f"{desk['servers'].rasa}/conversations/{sender}/tracker", params={"token": TOKEN}, timeout=30
    ).json()
    dumped = json.dumps(tracker, ensure_ascii=False)
    database = Path(url.removeprefix("sqlite:///")).read_bytes()
    logs = "".join((desk["tmp"] / name).read_text(encoding="utf-8") for name in ("rasa.log", "actions.log", "web.log"))
    for form in NUMBER_FORMS:
        assert form not in dumped, form
        assert form.encode() not in database, form
        assert form not in logs, form

    base = desk["base"]
    owner, other = (login(base, name, password) for name, password in OFFICERS.items())
    listed = owner.get(f"{base}/review/handoff?status=new").text
    assert "Có số, hẹn" in listed and "0912" not in listed
    assert act(owner, base, ticket.id, "callback-number").status_code == 403  # not taken yet
    assert act(owner, base, ticket.id, "take").status_code == 200
    assert act(other, base, ticket.id, "callback-number").status_code == 403  # not theirs
    shown = act(owner, base, ticket.id, "callback-number")
    assert shown.status_code == 200 and "0912345678" in shown.text
    assert "handoff.callback_number" in audit_actions(desk)
    assert act(owner, base, ticket.id, "close", called="yes").status_code == 200
    closed = desk["queue"].get(ticket.id)
    assert closed.status == CLOSED and closed.first_reply_at is not None and not closed.has_callback
    with session_factory(url)() as session:
        assert session.execute(select(CallbackRequest.phone_encrypted)).scalar_one() is None
    gone = act(owner, base, ticket.id, "callback-number")
    assert gone.status_code == 403
