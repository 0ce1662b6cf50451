"""The fake Telegram Bot API and Zalo OpenAPI together, with the settings that point a stack at them."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Dict, Iterator, Tuple

from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.zalo_api import FakeZaloApi


@contextmanager
def fake_messengers(
    bot_token: str, telegram_secret: str, app_id: str, oa_secret: str, app_secret: str
) -> Iterator[Tuple[FakeTelegramApi, FakeZaloApi, Dict[str, str]]]:
    """Both fakes started (stopped afterwards), and the environment that turns both channels on."""
    telegram = FakeTelegramApi(bot_token).start()
    zalo = FakeZaloApi(app_id, app_secret, access_token="access-1", refresh_token="refresh-1").start()
    env = {
        "TELEGRAM_BOT_TOKEN": bot_token,
        "TELEGRAM_WEBHOOK_SECRET": telegram_secret,
        "TELEGRAM_API_BASE_URL": f"{telegram.url}/bot",
        "ZALO_APP_ID": app_id,
        "ZALO_OA_SECRET_KEY": oa_secret,
        "ZALO_APP_SECRET": app_secret,
        "ZALO_ACCESS_TOKEN": "access-1",
        "ZALO_REFRESH_TOKEN": "refresh-1",
        "ZALO_API_BASE_URL": zalo.url,
        "ZALO_OAUTH_BASE_URL": zalo.url,
    }
    try:
        yield telegram, zalo, env
    finally:
        telegram.stop()
        zalo.stop()
