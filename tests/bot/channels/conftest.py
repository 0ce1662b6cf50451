"""The Telegram stack the messenger tests start, and what they read back: outbox rows and stored turns."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List

import requests
from sqlalchemy import select

from bot.channels.tables import OutboundMessage
from core.db import session_factory
from tests.fakes.telegram_api import FakeTelegramApi
from tools.stack import TOKEN, running_servers


@contextmanager
def telegram_stack(
    tmp: Path, records: List[Dict[str, Any]], bot_token: str, secret: str, **env: str
) -> Iterator[Dict[str, Any]]:
    """The real Rasa and action servers with the Telegram channel on, talking to a fake Bot API."""
    fake = FakeTelegramApi(bot_token).start()
    full_env = {
        "TELEGRAM_BOT_TOKEN": bot_token,
        "TELEGRAM_WEBHOOK_SECRET": secret,
        "TELEGRAM_API_BASE_URL": f"{fake.url}/bot",
        **env,
    }
    try:
        with running_servers(tmp, records, full_env) as servers:
            yield {
                "fake": fake,
                "servers": servers,
                "env": full_env,
                "webhook": f"{servers.rasa}/webhooks/telegram/webhook",
            }
    finally:
        fake.stop()


def outbox_rows(database_url: str, recipient: str) -> List[OutboundMessage]:
    with session_factory(database_url)() as session:
        query = select(OutboundMessage).where(OutboundMessage.recipient == recipient).order_by(OutboundMessage.id)
        return list(session.execute(query).scalars())


def user_texts(rasa_url: str, sender: str) -> List[str]:
    answer = requests.get(f"{rasa_url}/conversations/{sender}/tracker", params={"token": TOKEN}, timeout=30)
    return [event["text"] for event in answer.json()["events"] if event["event"] == "user"]
