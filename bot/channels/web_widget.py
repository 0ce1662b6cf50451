"""Rasa's socket.io channel for the portal widget, accepting only the portals we trust.

Rasa's own ``SocketIOInput`` turns python-socketio's origin check off; this subclass
switches it back on with ``WIDGET_ALLOWED_ORIGINS`` (comma-separated), so a page on
another site cannot open a chat session. The channel keeps the name ``socketio``.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from bot.settings import get_settings


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
        blueprint = super().blueprint(on_new_message)
        # python-socketio refuses the Engine.IO handshake from any other Origin (HTTP 400).
        self.sio.eio.cors_allowed_origins = self.allowed_origins()
        return blueprint
