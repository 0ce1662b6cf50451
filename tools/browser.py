"""Debian's Chromium driven by Playwright (never a browser download), for the browser tests and `make screenshots`."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium_page(**context_options: Any) -> Iterator[Page]:
    """A fresh headless Chromium page with its own profile; closed afterwards."""
    assert Path(CHROMIUM).exists(), "Debian chromium missing: `make test` installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(locale="vi-VN", **context_options)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()
