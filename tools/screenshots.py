"""``make screenshots``: the README's pictures of the widget, taken in Debian Chromium from a real stack.

Starts the Rasa, action and web servers on a scratch database with the curated procedures, opens
the demo page at a phone's size and saves ``docs/images/first-screen.png`` (the greeting and its
topics) and ``docs/images/walkthrough-step.png`` (the first step of the passport walkthrough).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from core.settings import PROJECT_ROOT
from knowledge_base.schema import load_directory
from tools.browser import chromium_page
from tools.stack import free_port, running_servers, running_web_server

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


def main() -> int:
    take()
    print(f"wrote {IMAGES / 'first-screen.png'} and {IMAGES / 'walkthrough-step.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
