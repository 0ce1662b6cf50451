"""``make screenshots``: the README's pictures of the widget, taken in Debian Chromium from a real stack.

Starts the Rasa, action and web servers on a scratch database with the curated procedures, opens
the demo page at a phone's size and saves ``docs/images/first-screen.png`` (the greeting and its
topics) and ``docs/images/walkthrough-step.png`` (the first step of the passport walkthrough).
On invented figures for one week it also renders the first page of a weekly report to
``docs/images/report-first-page.png`` (no servers: ``python -m tools.screenshots --report``) and
photographs the dashboard's services page to ``docs/images/services-page.png`` and the officers'
hand-off queue to ``docs/images/handoff-queue.png`` (only the web server: ``python -m tools.screenshots
--dashboard``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import List, Optional

from cryptography.fernet import Fernet

from actions.stores.callbacks import CallbackStore
from actions.stores.handoff import HandoffQueue
from actions.stores.tables import AnswerFeedback, HandoffRequest, ServiceSurvey
from bot.analytics_events import AnalyticsEventStore
from core.db import engine_for, session_factory
from core.field_cipher import FieldCipher
from core.settings import PROJECT_ROOT, VIETNAM_TIME
from knowledge_base.repository import ProcedureRepository
from knowledge_base.schema import load_directory
from tools.browser import chromium_page
from tools.report import pdf_page_png
from tools.stack import free_port, running_servers, running_web_server
from web.dashboard.analytics import ReviewData
from web.reports.figures import build_report, previous_week
from web.reports.pdf import pdf_bytes

IMAGES = PROJECT_ROOT / "docs" / "images"
TIMEOUT_MS = 60_000


def take(target: Path = IMAGES) -> None:
    """Both screenshots, written into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    records = load_directory(PROJECT_ROOT / "knowledge_base" / "procedures")
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        port = free_port()
        origin = f"http://127.0.0.1:{port}"
        with running_servers(tmp, records, {"WIDGET_ALLOWED_ORIGINS": origin}) as servers:
            with running_web_server(tmp, {"PUBLIC_RASA_URL": servers.rasa}, port=port):
                with chromium_page(viewport={"width": 400, "height": 760}, is_mobile=True) as page:
                    page.goto(origin + "/")
                    page.get_by_test_id("chat-launcher").click()
                    page.get_by_text("Tôi là trợ lý ảo").wait_for(timeout=TIMEOUT_MS)
                    page.screenshot(path=str(target / "first-screen.png"))
                    page.get_by_test_id("chat-input").fill("làm hộ chiếu online được không")
                    page.get_by_test_id("chat-send").click()
                    page.get_by_role("button", name="Hướng dẫn từng bước").click(timeout=TIMEOUT_MS)
                    for _ in range(3):
                        page.get_by_role("button", name="Có", exact=True).last.click(timeout=TIMEOUT_MS)
                        page.wait_for_timeout(1500)
                    page.get_by_text("Bước 1/").wait_for(timeout=TIMEOUT_MS)
                    page.screenshot(path=str(target / "walkthrough-step.png"))


# ---- the first page of a report, on invented figures ---------------------------------------------
REPORT_WEEK = date(2026, 11, 16)  # Tuần 47/2026
REPORT_MADE = datetime(2026, 11, 23, 8, 0, tzinfo=VIETNAM_TIME)
# procedure id -> overall scores citizens gave it that week (invented): enough answers to rank, and not
DEMO_SCORES = {
    "khai-sinh": [5] * 12 + [4] * 9 + [3] * 2 + [2],
    "ket-hon": [5] * 4 + [4] * 6 + [3] * 3 + [1],
    "khai-tu": [5, 4, 4, 3, 5, 2],
    "tam-tru": [4] * 7 + [3] * 6 + [2] * 3 + [5] * 2,
    "thuong-tru": [5] * 3 + [4] * 5 + [3] * 2 + [2],
    "ho-chieu": [5, 5, 4, 4, 5, 3, 4, 5, 4],
}
DEMO_CHANNELS = ("socketio", "zalo", "telegram")
DEMO_REASONS = ("missing_information", "hard_to_understand", "wrong_procedure", None)


def _demo_database(url: str) -> None:
    """Invented conversations, 👍/👎 and service surveys for one week, the kind a commune sees."""
    ProcedureRepository(session_factory(url)).upsert(load_directory(PROJECT_ROOT / "knowledge_base" / "procedures"))
    events, feedback, surveys = [], [], []
    start = datetime.combine(REPORT_WEEK, time(8), tzinfo=VIETNAM_TIME)
    number = 0
    for procedure, scores in DEMO_SCORES.items():
        for index, score in enumerate(scores):
            number += 1
            sender, channel = f"demo-{number}", DEMO_CHANNELS[number % len(DEMO_CHANNELS)]
            at = start + timedelta(hours=number * 1.3)
            events += [
                {
                    "sender_id": sender,
                    "event": "user",
                    "timestamp": at.timestamp(),
                    "text": f"hỏi về thủ tục {procedure}",
                    "message_id": f"m-{number}",
                    "input_channel": channel,
                    "parse_data": {"intent": {"name": "ask_documents", "confidence": 0.9}},
                },
                {
                    "sender_id": sender,
                    "event": "slot",
                    "timestamp": at.timestamp() + 1,
                    "name": "procedure_id",
                    "value": procedure,
                },
                {
                    "sender_id": sender,
                    "event": "slot",
                    "timestamp": at.timestamp() + 1,
                    "name": "answer_status",
                    "value": "answered",
                },
            ]
            helpful = index % 4 != 3
            feedback.append(
                AnswerFeedback(
                    conversation_id=sender,
                    turn_id=f"m-{number}",
                    channel=channel,
                    procedure_id=procedure,
                    intent="ask_documents",
                    helpful=helpful,
                    reason=None if helpful else DEMO_REASONS[number % len(DEMO_REASONS)],
                    created_at=at + timedelta(minutes=1),
                    updated_at=at + timedelta(minutes=1),
                )
            )
            surveys.append(
                ServiceSurvey(
                    conversation_id=sender,
                    session_key="s",
                    channel=channel,
                    procedure_id=procedure,
                    trigger="goodbye",
                    overall=score,
                    finding_information=max(1, score - index % 2),
                    submitting_online=score if index % 3 else None,
                    time_as_promised=max(1, score - 1) if index % 2 else score,
                    cost_as_announced=5 if index % 5 else 4,
                    created_at=at + timedelta(minutes=3),
                    updated_at=at + timedelta(minutes=3),
                )
            )
    AnalyticsEventStore(engine_for(url)).add(events)
    with session_factory(url)() as session, session.begin():
        session.add_all(feedback + surveys)


def report_first_page(target: Path = IMAGES) -> Path:
    """``docs/images/report-first-page.png``: page 1 of a weekly report on invented figures (needs pdftoppm)."""
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'demo.db'}"
        _demo_database(url)
        period = previous_week(REPORT_WEEK + timedelta(days=7))
        report = build_report(ReviewData(engine_for(url)), period, "UBND phường Minh Khai", 10, now=REPORT_MADE)
        return pdf_page_png(pdf_bytes(report), target / "report-first-page.png", resolution=80)


DEMO_ADMIN, DEMO_PASSWORD = "admin", "anh-chup-man-hinh-123"


def _dashboard_shot(path: Path, page_path: str, heading: str, height: int, queue: bool = False) -> Path:
    """Logs in to the dashboard on the invented week (and queue) and photographs one page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        url = f"sqlite:///{tmp / 'demo.db'}"
        _demo_database(url)
        if queue:
            _demo_queue(url)
        env = {
            "DATABASE_URL": url,
            "REVIEW_ADMIN_USER": DEMO_ADMIN,
            "REVIEW_ADMIN_PASSWORD": DEMO_PASSWORD,
            "REVIEW_SECRET_KEY": "s" * 32,
            "RASA_API_TOKEN": "not-used-by-these-pages",
            "CALLBACK_KEY": Fernet.generate_key().decode("ascii"),
        }
        with running_web_server(tmp, env) as base:
            with chromium_page(viewport={"width": 1280, "height": height}) as page:
                page.goto(f"{base}{page_path}")
                page.get_by_label("Tên đăng nhập").fill(DEMO_ADMIN)
                page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Đăng nhập").click()
                page.get_by_role("heading", name=heading).wait_for(timeout=TIMEOUT_MS)
                page.screenshot(path=str(path))
    return path


def services_page(target: Path = IMAGES) -> Path:
    """``docs/images/services-page.png``: the dashboard's Đánh giá dịch vụ page on the invented week."""
    week = f"from={REPORT_WEEK:%Y-%m-%d}&to={REPORT_WEEK + timedelta(days=6):%Y-%m-%d}"
    return _dashboard_shot(
        target / "services-page.png",
        f"/review/services?{week}",
        "Đánh giá dịch vụ công trực tuyến và câu trả lời của trợ lý",
        1100,
    )


def _demo_queue(url: str) -> None:
    """Invented requests for a person: waiting, taken, answered, one with a callback number."""
    sessions = session_factory(url)
    queue = HandoffQueue(sessions)
    callbacks = CallbackStore(sessions, FieldCipher(Fernet.generate_key().decode("ascii")))
    now = datetime.now(timezone.utc)
    demo = [
        ("telegram:501", "telegram", "ho-chieu", 3, None),
        ("zalo:8812", "zalo", "tam-tru", 12, None),
        ("a1b2c3d4e5f60718293a4b5c6d7e8f90", "socketio", "khai-sinh", 25, "canbo.lan"),
        ("telegram:733", "telegram", "cap-doi-so-do", 95, "canbo.hung"),
    ]
    for conversation, channel, procedure, minutes_ago, owner in demo:
        ticket = queue.open_request(conversation, channel, procedure)
        with sessions() as session, session.begin():
            row = session.get(HandoffRequest, ticket.id)
            row.created_at = now - timedelta(minutes=minutes_ago)
            if owner:
                row.status, row.owner, row.taken_at = "taken", owner, row.created_at + timedelta(minutes=2)
        if minutes_ago > 60:
            queue.replied(ticket.id)
            queue.hand_back(ticket.id, owner)
    late = queue.open_request("zalo:9034", "zalo", "ket-hon")
    queue.offer_callback(late.id)
    callbacks.save(late.id, "0900000000", now + timedelta(hours=10))


def handoff_queue(target: Path = IMAGES) -> Path:
    """``docs/images/handoff-queue.png``: the officers' queue (Gặp cán bộ) on invented requests."""
    return _dashboard_shot(target / "handoff-queue.png", "/review/handoff", "Yêu cầu gặp cán bộ", 640, queue=True)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="only the report's first page (no servers, no browser)")
    parser.add_argument("--dashboard", action="store_true", help="only the services page (web server and browser)")
    args = parser.parse_args(argv)
    if not (args.report or args.dashboard):
        take()
        print(f"wrote {IMAGES / 'first-screen.png'} and {IMAGES / 'walkthrough-step.png'}")
    if not args.dashboard:
        print(f"wrote {report_first_page()}")
    if not args.report:
        print(f"wrote {services_page()}")
        print(f"wrote {handoff_queue()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
