"""Joining a citizen's conversation through the Rasa server's HTTP API, on whichever channel they use.

Three calls of ``POST /conversations/<id>/tracker/events`` (Rasa's documented API, with the API
token): taking appends ``pause`` and a "an officer has joined" message, a reply appends the
officer's message, handing back appends ``resume`` and "the assistant is back". With
``output_channel=latest&execute_side_effects=true`` Rasa sends each message through the output
channel of the citizen's latest message (widget, Telegram, Zalo), under the conversation's lock
(Redis when there are replicas), and stores the events in the shared tracker store. A paused
conversation still logs what the citizen writes but predicts nothing, on every replica, until it
is resumed: that is the assistant staying silent.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List
from urllib.parse import quote

import requests

logger = logging.getLogger(__name__)

JOINED = "Một cán bộ đã tham gia cuộc trò chuyện. Trợ lý tự động tạm dừng; cán bộ sẽ trả lời bạn ngay tại đây."
HANDED_BACK = "Cán bộ đã kết thúc trao đổi. Trợ lý tự động tiếp tục hỗ trợ bạn: bạn cứ gõ câu hỏi."
OFFICER_PREFIX = "Cán bộ: "
TIMEOUT_SECONDS = 15


class ConversationUnreachable(RuntimeError):
    """The Rasa server did not accept the events; the message says why, for the officer."""


class RasaConversations:
    """The Rasa HTTP API at ``base_url`` with ``token``, as the dashboard uses it."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token

    def _append(self, conversation_id: str, events: List[Dict[str, Any]]) -> None:
        # Rasa does not decode the id in the path: characters of our ids (``telegram:1``, ``a@b+c``) stay
        # as they are, anything else (none of our channels makes it) is escaped.
        url = f"{self.base_url}/conversations/{quote(conversation_id, safe=':@+')}/tracker/events"
        params = {"token": self.token, "output_channel": "latest", "execute_side_effects": "true"}
        try:
            answer = requests.post(url, params=params, json=events, timeout=TIMEOUT_SECONDS)
        except requests.RequestException as exc:
            logger.error("takeover.unreachable conversation=%s error=%s", conversation_id, type(exc).__name__)
            raise ConversationUnreachable("Không kết nối được máy chủ trợ lý. Vui lòng thử lại sau ít phút.") from None
        if answer.status_code != 200:
            logger.error("takeover.refused conversation=%s status=%s", conversation_id, answer.status_code)
            raise ConversationUnreachable(f"Máy chủ trợ lý từ chối yêu cầu (mã {answer.status_code}).")

    def join(self, conversation_id: str, officer: str) -> None:
        """Pauses the assistant in the conversation and tells the citizen an officer has joined."""
        self._append(conversation_id, [{"event": "pause"}, self._bot(JOINED, officer)])
        logger.info("takeover.joined conversation=%s officer=%s", conversation_id, officer)

    def say(self, conversation_id: str, officer: str, text: str) -> None:
        """Sends the officer's message to the citizen."""
        self._append(conversation_id, [self._bot(OFFICER_PREFIX + text, officer)])
        logger.info("takeover.replied conversation=%s officer=%s chars=%d", conversation_id, officer, len(text))

    def leave(self, conversation_id: str, officer: str) -> None:
        """Resumes the assistant and tells the citizen so."""
        self._append(conversation_id, [{"event": "resume"}, self._bot(HANDED_BACK, officer)])
        logger.info("takeover.handed_back conversation=%s officer=%s", conversation_id, officer)

    @staticmethod
    def _bot(text: str, officer: str) -> Dict[str, Any]:
        return {"event": "bot", "text": text, "metadata": {"officer": officer}}
