"""Debian's Chromium driven by Playwright (never a browser download), for the browser tests and `make screenshots`."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, List

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
    with chromium_pages(1, **context_options) as pages:
        yield pages[0]


@contextmanager
def chromium_pages(count: int, **context_options: Any) -> Iterator[List[Page]]:
    """``count`` pages of one headless Chromium, each in its own context (cookies, storage): several
    people at once, such as a citizen in the widget and an officer in the dashboard."""
    assert Path(CHROMIUM).exists(), "Debian chromium missing: `make test` installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        contexts = [browser.new_context(locale="vi-VN", **context_options) for _ in range(count)]
        try:
            yield [context.new_page() for context in contexts]
        finally:
            for context in contexts:
                context.close()
            browser.close()
