"""A fake Telegram Bot API (https://core.telegram.org/bots/api) speaking its JSON on loopback."""

from __future__ import annotations

import itertools
import time
from typing import Any, Dict, List, Optional, Tuple

from tests.fakes.http import FakeServer, Recorded

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Trợ lý", "username": "tro_ly_test_bot"}


class FakeTelegramApi(FakeServer):
    """Answers getMe, sendMessage, sendChatAction, answerCallbackQuery, setWebhook, ...

    ``rate_limit_next`` makes the next N sendMessage calls fail with 429 and retry_after=1;
    ``send_failure_status`` (e.g. 502) makes every sendMessage fail with that status until reset.
    """

    def __init__(self, token: str) -> None:
        super().__init__(self._handle)
        self.token = token
        self.rate_limit_next = 0
        self.send_failure_status: Optional[int] = None
        self.pending_updates: List[Dict[str, Any]] = []
        self._ids = itertools.count(1)

    def calls(self, method: str) -> List[Dict[str, Any]]:
        return [r.params for r in self.requests if r.path.endswith(f"/{method}")]

    def delivered(self, chat_id: int) -> List[Dict[str, Any]]:
        """The sendMessage calls to ``chat_id`` that the fake accepted."""
        return [
            r.params
            for r in self.requests
            if r.path.endswith("/sendMessage") and r.status == 200 and int(r.params["chat_id"]) == chat_id
        ]

    def _handle(self, request: Recorded) -> Tuple[int, Dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        if not request.path.startswith(prefix):
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        method = request.path[len(prefix) :]
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method == "sendMessage":
            if self.send_failure_status is not None:
                return self.send_failure_status, {
                    "ok": False,
                    "error_code": self.send_failure_status,
                    "description": "Bad Gateway",
                }
            if self.rate_limit_next > 0:
                self.rate_limit_next -= 1
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                }
            chat_id = int(request.params["chat_id"])
            return 200, {
                "ok": True,
                "result": {
                    "message_id": next(self._ids),
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private"},
                    "from": BOT_USER,
                    "text": request.params["text"],
                },
            }
        if method == "getUpdates":
            offset = int(request.params.get("offset") or 0)
            ready = [u for u in self.pending_updates if u["update_id"] >= offset]
            if not ready:
                time.sleep(0.2)
            return 200, {"ok": True, "result": ready}
        if method in {"sendChatAction", "answerCallbackQuery", "setWebhook", "deleteWebhook"}:
            return 200, {"ok": True, "result": True}
        return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: method {method} not faked"}


def text_update(update_id: int, chat_id: int, text: str) -> Dict[str, Any]:
    """An Update with a private text message, as Telegram posts it to a webhook."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Lan", "language_code": "vi"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Lan"},
            "from": user,
            "text": text,
        },
    }


def callback_update(update_id: int, chat_id: int, data: str) -> Dict[str, Any]:
    """An Update with a callback query from an inline keyboard button."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Lan"}
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cb{update_id}",
            "from": user,
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": BOT_USER,
                "text": "…",
            },
        },
    }


def sticker_update(update_id: int, chat_id: int) -> Dict[str, Any]:
    update = text_update(update_id, chat_id, "")
    del update["message"]["text"]
    update["message"]["sticker"] = {
        "file_id": "s1",
        "file_unique_id": "u1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    return update
