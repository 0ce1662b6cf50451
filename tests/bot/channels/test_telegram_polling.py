"""Polling hands each update to the webhook until it is handled: PTB will not offer it again."""

import asyncio

import pytest
from telegram import Update

from bot.channels import telegram_polling
from core.settings import get_settings
from tests.fakes.http import FakeServer
from tests.fakes.telegram_api import text_update


@pytest.fixture
def no_waiting(monkeypatch):
    monkeypatch.setattr(telegram_polling, "backoff", lambda attempt, cap: 0.01)


def _forwarder() -> telegram_polling.UpdateForwarder:
    """What `make telegram-polling` registers with PTB, built from the environment the test set."""
    return telegram_polling.UpdateForwarder(get_settings().telegram)


def webhook_answering(statuses):
    answers = iter(statuses)
    return FakeServer(lambda request: (next(answers), {"status": "x"})).start()


def test_an_update_refused_for_now_is_forwarded_again_until_handled(monkeypatch, no_waiting):
    webhook = webhook_answering([500, 409, 200])
    monkeypatch.setenv("TELEGRAM_FORWARD_URL", f"{webhook.url}/webhooks/telegram/webhook")
    try:
        asyncio.run(_forwarder()(Update.de_json(text_update(7, 501, "xin chào"), None), None))
    finally:
        webhook.stop()
    assert [r.status for r in webhook.requests] == [500, 409, 200]


def test_an_update_refused_for_good_is_not_retried(monkeypatch, no_waiting, caplog):
    webhook = webhook_answering([403])
    monkeypatch.setenv("TELEGRAM_FORWARD_URL", f"{webhook.url}/webhooks/telegram/webhook")
    try:
        asyncio.run(_forwarder()(Update.de_json(text_update(8, 501, "xin chào"), None), None))
    finally:
        webhook.stop()
    assert [r.status for r in webhook.requests] == [403]
    assert "telegram.polling.forward_failed update_id=8 status=403" in caplog.text
