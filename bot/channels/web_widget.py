"""Rasa's socket.io channel for the portal widget, accepting only the portals we trust.

Rasa's own ``SocketIOInput`` turns python-socketio's origin check off; this subclass
switches it back on with ``WIDGET_ALLOWED_ORIGINS`` (comma-separated), so a page on
another site cannot open a chat session. Packets are bounded by ``MAX_REQUEST_BYTES`` (python-socketio
accepts 1 MB by default), and a turn that answers nothing gets a "busy" reply
(bot/channels/turns.py). With replicas, emits go through Redis so that a message reaches the widget
from whichever replica sends it. The channel keeps the name ``socketio``.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint
from socketio import AsyncRedisManager, AsyncServer

from bot.channels.turns import guarantee_reply
from core.settings import get_settings

# What Rasa's socket.io channel gives a new session (uuid4().hex); the widget keeps that id.
SESSION_ID = re.compile(r"^[0-9a-f]{32}$")


def stored_session_id(session_id: str) -> str:
    """The session id itself when it is one Rasa issued, else a digest of it.

    A client may send a session id of its own choosing (a phone number, say); that is never stored.
    """
    if SESSION_ID.match(session_id):
        return session_id
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:32]


def share_emits_through_redis(sio: AsyncServer) -> None:
    """With replicas (``REDIS_URL``), a message for a widget reaches it from any replica.

    A widget's socket lives on one replica, but a message may be sent from another: an officer's
    reply (web/dashboard/takeover.py) goes to whichever replica the load balancer picks. With
    python-socketio's Redis client manager every replica publishes its emits on one Redis channel
    and delivers those for the sockets it holds. Rasa builds the server without a client manager,
    so it is swapped in here, before the first connection.
    """
    settings = get_settings()
    if not settings.redis_url:
        return
    manager = AsyncRedisManager(settings.redis_url, channel=f"{settings.redis_key_prefix}_socketio")
    sio.manager = manager
    manager.set_server(sio)
    sio.manager_initialized = False


class WebWidgetInput(SocketIOInput):
    """``socketio`` channel with an origin allow-list and session persistence on."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WebWidgetInput":
        credentials = credentials or {}
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            namespace=credentials.get("namespace"),
            session_persistence=True,
            socketio_path=credentials.get("socketio_path", "/socket.io"),
        )

    @staticmethod
    def allowed_origins() -> List[str]:
        return list(get_settings().widget_allowed_origins)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(guarantee_reply(on_new_message, conversation_id=stored_session_id))
        # python-socketio refuses the Engine.IO handshake from any other Origin (HTTP 400).
        self.sio.eio.cors_allowed_origins = self.allowed_origins()
        self.sio.eio.max_http_buffer_size = get_settings().max_request_bytes
        share_emits_through_redis(self.sio)
        return blueprint
