"""Long polling for offices without a public HTTPS address: ``make telegram-polling``.

python-telegram-bot's ``Application`` fetches updates with ``getUpdates`` and hands each
one, unchanged, to the running Rasa server's Telegram webhook (with the webhook secret),
so polling and webhook feed exactly the same bot and code path.
"""
from __future__ import annotations

import logging
import os
import sys

import httpx
from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.settings import get_settings

logger = logging.getLogger(__name__)


def webhook_url() -> str:
    """The local Rasa server's Telegram webhook."""
    port = get_settings().rasa_port
    return os.environ.get("TELEGRAM_FORWARD_URL", f"http://127.0.0.1:{port}/webhooks/telegram/webhook")


async def forward(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """POST the update to Rasa; raising makes PTB log it, and the update is not lost from the log."""
    secret = get_settings().telegram.webhook_secret or ""
    async with httpx.AsyncClient(timeout=120) as client:
        result = await client.post(webhook_url(), json=update.to_dict(),
                                   headers={"X-Telegram-Bot-Api-Secret-Token": secret})
    if result.status_code != 200:
        logger.error("telegram.polling.forward_failed status=%s body=%s", result.status_code, result.text[:200])


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    telegram = get_settings().telegram
    if not telegram.enabled or not telegram.webhook_secret:
        print("Set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET (the Rasa server must run too).", file=sys.stderr)
        return 2
    application = (
        Application.builder().token(telegram.token).base_url(telegram.api_base_url).build()
    )
    application.add_handler(TypeHandler(Update, forward))
    # Polling and a webhook cannot both be active: run_polling removes the webhook first.
    application.run_polling(allowed_updates=["message", "callback_query"], drop_pending_updates=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
