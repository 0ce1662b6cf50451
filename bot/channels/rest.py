"""The REST channel (``POST /webhooks/rest/webhook``), strict about what a client may say.

Rasa's own ``RestInput`` believes the body: it takes the channel name from it (a rating was
stored as "zalo"), accepts any sender id (a REST client could write into a Zalo citizen's
conversation, and a missing sender put everyone into one conversation), stores any metadata,
and logs the raw message when processing fails. This channel keeps Rasa's wire format
(``{"sender": ..., "message": ..., "metadata": {...}}`` → a JSON list of bot messages) but:

- answers a malformed body with 400 and the reason;
- requires a sender id of 1-128 letters, digits or ``_ . @ + -``: no ``:``, which prefixes the
  other channels' ids (``telegram:``, ``zalo:``), and no personal number (ids are stored and shown);
- names the channel itself (``rest``) and bounds the metadata;
- bounds request bodies for the whole Rasa server (``MAX_REQUEST_BYTES``, Sanic's
  ``REQUEST_MAX_SIZE``), since this channel is always on;
- answers "busy" rather than nothing when the turn fails (bot/channels/turns.py);
- keeps what Rasa sends the conversation between two requests (an officer's replies during a
  hand-off, web/dashboard/takeover.py) in the outbox, and returns it first in the response to the
  client's next message: a request/response client has no other way to receive it.

Rasa's ``?stream=true`` variant is not offered: no client of ours uses it.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.outbox import OutboxStore
from bot.channels.turns import guarantee_reply
from core.settings import get_settings
from knowledge_base.privacy import mask_personal_data

logger = logging.getLogger(__name__)

CHANNEL = "rest"
SENDER_ID = re.compile(r"^[\w.@+-]{1,128}$", re.UNICODE)
MAX_METADATA_BYTES = 2048


class BadRequest(ValueError):
    """A body the channel refuses; the message is the reason given to the client."""


def read_body(raw: bytes) -> Tuple[str, str, Optional[Dict[str, Any]]]:
    """``(sender, message, metadata)`` from a request body, or :class:`BadRequest` saying why."""
    try:
        body = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadRequest('body must be JSON: {"sender": "...", "message": "..."}') from None
    if not isinstance(body, dict):
        raise BadRequest('body must be a JSON object with "sender" and "message"')
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        raise BadRequest('"sender" is required: a conversation id chosen by the client')
    sender = sender.strip()
    if not SENDER_ID.match(sender):
        raise BadRequest('"sender" must be 1-128 letters, digits or _ . @ + - (":" is reserved for channels)')
    if mask_personal_data(sender) != sender:
        raise BadRequest('"sender" must not contain personal data such as a phone or ID number; use a random id')
    message = body.get("message")
    if not isinstance(message, str) or not message.strip():
        raise BadRequest('"message" must be a non-empty string')
    metadata = body.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, dict):
            raise BadRequest('"metadata" must be a JSON object')
        if len(json.dumps(metadata, ensure_ascii=False).encode("utf-8")) > MAX_METADATA_BYTES:
            raise BadRequest(f'"metadata" must be at most {MAX_METADATA_BYTES} bytes of JSON')
    return sender, message, metadata


class HeldRepliesOutput(CollectingOutputChannel):
    """Messages for a REST conversation sent outside its own requests, kept until the client's next one."""

    def __init__(self, outbox: OutboxStore) -> None:
        super().__init__()
        self.outbox = outbox

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    async def _persist_message(self, message: Dict[Text, Any]) -> None:
        body = {key: value for key, value in message.items() if key != "recipient_id"}
        self.outbox.add(CHANNEL, message["recipient_id"], body, error=None)
        logger.info("rest.held conversation=%s", message["recipient_id"])


class CitizenRestInput(InputChannel):
    """Rasa input channel ``rest`` with validated bodies (replaces Rasa's ``RestInput``)."""

    def __init__(self) -> None:
        self.outbox: Optional[OutboxStore] = None

    def held_replies(self) -> OutboxStore:
        if self.outbox is None:
            self.outbox = OutboxStore.from_settings()
        return self.outbox

    def get_output_channel(self) -> HeldRepliesOutput:
        """Where Rasa sends this channel's messages outside a request (``output_channel=latest``)."""
        return HeldRepliesOutput(self.held_replies())

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "CitizenRestInput":
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("rest_webhook", __name__)
        handle = guarantee_reply(on_new_message)

        @webhook.listener("before_server_start")
        async def bound_request_bodies(app: Sanic, _loop: Any) -> None:
            app.config.REQUEST_MAX_SIZE = get_settings().max_request_bytes

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                sender, text, metadata = read_body(request.body)
            except BadRequest as exc:
                logger.info("rest.refused reason=%s", exc)
                return response.json({"error": str(exc)}, status=400)
            collector = CollectingOutputChannel()
            await handle(UserMessage(text, collector, sender, input_channel=CHANNEL, metadata=metadata))
            held = [{"recipient_id": sender, **body} for body in self.held_replies().collect(CHANNEL, sender)]
            return response.json(held + collector.messages)

        return webhook
