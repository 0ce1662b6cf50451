"""A fake Zalo OpenAPI + OAuth server (OA API v3 consultation messages, v4 token refresh)."""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from typing import Any, Dict, List, Optional, Tuple

from tests.fakes.http import FakeServer, Recorded


class FakeZaloApi(FakeServer):
    """Accepts only the current access token; each refresh token works once.

    ``failure_status`` (e.g. 502) makes every consultation message fail with that status until reset.
    """

    def __init__(self, app_id: str, app_secret: str, access_token: str, refresh_token: str) -> None:
        super().__init__(self._handle)
        self.app_id, self.app_secret = app_id, app_secret
        self.access_token, self.refresh_token = access_token, refresh_token
        self.refreshes = 0
        self.failure_status: Optional[int] = None
        self._ids = itertools.count(1)

    def messages_to(self, user_id: str) -> List[Dict[str, Any]]:
        return [
            r.params["message"]
            for r in self.requests
            if r.path == "/v3.0/oa/message/cs"
            and r.params["recipient"]["user_id"] == user_id
            and r.headers.get("access_token") == self.access_token
            and r.status == 200
        ]

    def _handle(self, request: Recorded) -> Tuple[int, Dict[str, Any]]:
        if request.path == "/v3.0/oa/message/cs":
            if self.failure_status is not None:
                return self.failure_status, {"error": -1, "message": "Service unavailable"}
            if request.headers.get("access_token") != self.access_token:
                return 200, {"error": -216, "message": "Access token is invalid"}
            return 200, {
                "error": 0,
                "message": "Success",
                "data": {"message_id": f"m{next(self._ids)}", "user_id": request.params["recipient"]["user_id"]},
            }
        if request.path == "/v4/oa/access_token":
            params = request.params
            if (
                request.headers.get("secret_key") != self.app_secret
                or params.get("app_id") != self.app_id
                or params.get("grant_type") != "refresh_token"
                or params.get("refresh_token") != self.refresh_token
            ):
                return 200, {"error": -14014, "error_name": "Invalid refresh token", "message": "Invalid refresh token"}
            self.refreshes += 1
            time.sleep(0.3)  # widen the window in which concurrent refreshes could collide
            self.access_token = f"access-{self.refreshes + 1}"
            self.refresh_token = f"refresh-{self.refreshes + 1}"
            return 200, {"access_token": self.access_token, "refresh_token": self.refresh_token, "expires_in": "90000"}
        return 404, {"error": -1, "message": "not faked"}


def signed_event(app_id: str, oa_secret_key: str, event: Dict[str, Any]) -> Tuple[bytes, Dict[str, str]]:
    """Body and headers of an event as Zalo sends it."""
    body = json.dumps(event, ensure_ascii=False).encode()
    mac = hashlib.sha256(app_id.encode() + body + str(event["timestamp"]).encode() + oa_secret_key.encode()).hexdigest()
    return body, {"X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json"}


def text_event(app_id: str, user_id: str, text: str, timestamp_ms: int = 0) -> Dict[str, Any]:
    ts = timestamp_ms or int(time.time() * 1000)
    return {
        "app_id": app_id,
        "user_id_by_app": f"app-{user_id}",
        "event_name": "user_send_text",
        "timestamp": str(ts),
        "sender": {"id": user_id},
        "recipient": {"id": "oa-1"},
        "message": {"text": text, "msg_id": f"msg-{user_id}-{ts}-{len(text)}"},
    }
