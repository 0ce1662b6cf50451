"""Long polling for offices without a public HTTPS address: ``make telegram-polling``.

python-telegram-bot's ``Application`` fetches updates with ``getUpdates`` and hands each
one, unchanged, to the running Rasa server's Telegram webhook (with the webhook secret),
so polling and webhook feed exactly the same bot and code path.
"""

from __future__ import annotations

import asyncio
import logging
import sys

import httpx
from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.channels.messages import backoff
from core.settings import TelegramSettings, get_settings
from knowledge_base import log_masking

logger = logging.getLogger(__name__)

FORWARD_ATTEMPTS = 8  # about 1.5 minutes with backoff while the Rasa server recovers


class UpdateForwarder:
    """Hands each update PTB fetches to the local Rasa server's Telegram webhook (``forward_url``)."""

    def __init__(self, telegram: TelegramSettings) -> None:
        self.url = telegram.forward_url
        self.secret = telegram.webhook_secret or ""

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await forward(update, self.url, self.secret)


async def forward(update: Update, url: str, secret: str) -> None:
    """POST the update to Rasa until it is handled: PTB moves past an update once this returns,
    so a refusal to retry (the webhook answers 500 when a turn failed, 409 while the same update is
    still being handled) is tried again here, with backoff, before it is given up and logged."""
    status = None
    async with httpx.AsyncClient(timeout=120) as client:
        for attempt in range(1, FORWARD_ATTEMPTS + 1):
            try:
                result = await client.post(
                    url, json=update.to_dict(), headers={"X-Telegram-Bot-Api-Secret-Token": secret}
                )
                status = result.status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            if status == 200:
                return
            if isinstance(status, int) and 400 <= status < 500 and status != 409:
                break  # refused for good (wrong secret, malformed): retrying will not help
            await asyncio.sleep(backoff(attempt, cap=30.0))
    logger.error("telegram.polling.forward_failed update_id=%s status=%s", update.update_id, status)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    log_masking.install()
    telegram = get_settings().telegram
    if not telegram.enabled or not telegram.webhook_secret:
        print("Set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET (the Rasa server must run too).", file=sys.stderr)
        return 2
    application = Application.builder().token(telegram.token).base_url(telegram.api_base_url).build()
    application.add_handler(TypeHandler(Update, UpdateForwarder(telegram)))
    # Polling and a webhook cannot both be active: run_polling removes the webhook first.
    application.run_polling(allowed_updates=["message", "callback_query"], drop_pending_updates=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
