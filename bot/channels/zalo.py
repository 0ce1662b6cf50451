"""Zalo Official Account channel for Rasa: ``POST /webhooks/zalo/webhook``.

Protocol, as documented for Zalo OA API v3 (developers.zalo.me, "Official Account API":
webhook events, "Gửi tin Tư vấn" consultation messages, and "Official Account Access Token"
v4 OAuth; cross-checked with the public SDK docs of @warriorteam/redai-zalo-sdk, files
docs/CONSULTATION_SERVICE.md, docs/BUTTON_TYPES_GUIDE.md and dist/types/webhook.d.ts):

- Every event carries ``X-ZEvent-Signature: mac=<hex>`` where hex is
  SHA-256(app_id + raw body + the body's ``timestamp`` + OA secret key). Missing → 401, a
  body without a usable timestamp → 400, wrong → 403, a timestamp outside
  ``ZALO_MAX_EVENT_AGE_SECONDS`` (replay) → 403; nothing is processed then. Valid events are
  acknowledged with 200 at once and handled in the background (Zalo expects a quick answer);
  an authentic event without a sender is logged and ignored.
- ``user_send_text`` is a citizen's message; ``follow`` greets; other ``user_send_*``
  events (images, stickers, files, ...) get a polite "text only" reply.
- Replies are consultation messages: ``POST {ZALO_API_BASE_URL}/v3.0/oa/message/cs`` with
  header ``access_token`` and body ``{"recipient": {"user_id": ...}, "message": {...}}``.
  Buttons are ``oa.query.hide`` buttons in a template attachment: a tap comes back as a
  ``user_send_text`` whose text is the button payload (payload ≤ 1000 chars, title ≤ 100).
- Access tokens last about 25 hours and refresh tokens are single-use: on an
  invalid/expired-token error, or shortly before expiry, ``POST {ZALO_OAUTH_BASE_URL}
  /v4/oa/access_token`` (header ``secret_key``; form ``refresh_token``, ``app_id``,
  ``grant_type=refresh_token``), store the new pair in the database, retry the send once.

Delivery: connection errors, timeouts and 5xx/429 answers are retried inside the send with
backoff; a reply that still fails goes to the outbox (bot/channels/outbox.py) and is resent
later, so a send never aborts Rasa's turn and the citizen's message is always stored. Zalo is
answered 200 before the turn runs, so it has no reason to deliver the event again: a turn that
fails in Rasa itself is tried again a few times here. Logs carry ids, never the citizen's text.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Text

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.base import is_feedback_button
from bot.channels.messages import SEND_ATTEMPTS, RecentDeliveries, backoff
from bot.channels.messenger import MessengerOutput, conversation_id, messenger_id_of
from bot.channels.outbox import Courier, OutboxRetrier, OutboxStore
from bot.channels.turns import BUSY_REPLY, guarantee_reply
from bot.channels.zalo_tokens import StaleRefreshToken, TokenPair, ZaloTokenStore
from core.settings import ZaloSettings, get_settings

logger = logging.getLogger(__name__)

CHANNEL = "zalo"
TEXT_LIMIT = 2000
BUTTON_TITLE_LIMIT = 100
BUTTON_PAYLOAD_LIMIT = 1000
MAX_BUTTONS = 5
TOKEN_ERRORS = {-216, -124, -220}
REFRESH_MARGIN = timedelta(minutes=10)
NON_TEXT_REPLY = "Xin lỗi, hiện tôi chỉ đọc được tin nhắn chữ. Bạn vui lòng gõ câu hỏi nhé."
# Tries of one Rasa turn when Rasa itself fails (e.g. the tracker store is briefly unreachable).
TURN_ATTEMPTS = 3
# Each call to the OA API: short, since a reply is sent inside the turn, which holds the
# conversation's lock (60 s in Rasa); what still fails goes to the outbox.
REQUEST_SECONDS = 8
USER_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


def signature(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The hex SHA-256 Zalo puts in ``X-ZEvent-Signature: mac=<hex>``."""
    data = app_id.encode() + raw_body + str(timestamp).encode() + oa_secret_key.encode()
    return hashlib.sha256(data).hexdigest()


class ZaloApiError(RuntimeError):
    """An error answer from the Zalo OpenAPI."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"Zalo API error {code}: {message}")
        self.code = code


class ZaloUnavailable(RuntimeError):
    """The OpenAPI answered with a server error, 429 or no JSON: worth trying again."""


TRANSIENT_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, ZaloUnavailable)


async def read_answer(answer: aiohttp.ClientResponse) -> Dict[str, Any]:
    """The JSON object of an OpenAPI answer, or :class:`ZaloUnavailable`."""
    if answer.status >= 500 or answer.status == 429:
        raise ZaloUnavailable(f"HTTP {answer.status}")
    try:
        data = await answer.json(content_type=None)
    except ValueError:
        raise ZaloUnavailable(f"HTTP {answer.status} without JSON") from None
    if not isinstance(data, dict):
        raise ZaloUnavailable(f"HTTP {answer.status} without a JSON object")
    return data


class ZaloClient:
    """Sends consultation messages and keeps the access token fresh."""

    def __init__(self, settings: ZaloSettings, tokens: ZaloTokenStore) -> None:
        self.settings = settings
        self.tokens = tokens
        self._refresh_lock = asyncio.Lock()

    async def send(self, user_id: str, message: Dict[str, Any]) -> Dict[str, Any]:
        """Send one message, trying again with backoff while the OpenAPI is unreachable or failing."""
        for attempt in range(1, SEND_ATTEMPTS):
            try:
                return await self._send_once(user_id, message)
            except TRANSIENT_ERRORS as exc:
                delay = backoff(attempt)
                logger.warning("zalo.send_retry attempt=%d delay=%.1f error=%s", attempt, delay, type(exc).__name__)
                await asyncio.sleep(delay)
        return await self._send_once(user_id, message)

    async def _send_once(self, user_id: str, message: Dict[str, Any]) -> Dict[str, Any]:
        """Send one message; refresh the token and retry once if it expired."""
        pair = self.tokens.current()
        if pair.expires_at and pair.expires_at - REFRESH_MARGIN <= datetime.now(timezone.utc):
            pair = await self.refresh(pair.access_token)
        try:
            return await self._post_message(pair.access_token, user_id, message)
        except ZaloApiError as exc:
            if exc.code not in TOKEN_ERRORS:
                raise
            logger.info("zalo.token.rejected code=%s", exc.code)
            pair = await self.refresh(pair.access_token)
            return await self._post_message(pair.access_token, user_id, message)

    async def _post_message(self, access_token: str, user_id: str, message: Dict[str, Any]) -> Dict[str, Any]:
        url = f"{self.settings.api_base_url}/v3.0/oa/message/cs"
        body = {"recipient": {"user_id": user_id}, "message": message}
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_SECONDS)) as session:
            async with session.post(url, json=body, headers={"access_token": access_token}) as answer:
                data = await read_answer(answer)
        code = int(data.get("error", 0) or 0)
        if code != 0:
            raise ZaloApiError(code, str(data.get("message")))
        return data

    async def refresh(self, rejected_access_token: str) -> TokenPair:
        """Exchange the single-use refresh token once, however many sends need it at the same time."""
        async with self._refresh_lock:
            pair = self.tokens.current()
            if pair.access_token != rejected_access_token:
                return pair  # another send refreshed while we waited
            url = f"{self.settings.oauth_base_url}/v4/oa/access_token"
            form = {"refresh_token": pair.refresh_token, "app_id": self.settings.app_id, "grant_type": "refresh_token"}
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_SECONDS)) as session:
                async with session.post(url, data=form, headers={"secret_key": self.settings.app_secret}) as answer:
                    data = await read_answer(answer)
            if "access_token" not in data:
                raise ZaloApiError(int(data.get("error", -1) or -1), str(data.get("message") or data))
            expires_in = int(data.get("expires_in") or 90000)
            try:
                new = self.tokens.replace(
                    pair.refresh_token,
                    data["access_token"],
                    data["refresh_token"],
                    datetime.now(timezone.utc) + timedelta(seconds=expires_in),
                )
            except StaleRefreshToken:
                logger.warning("zalo.token.refresh_raced: another replica stored a newer pair")
                return self.tokens.current()
            logger.info("zalo.token.refreshed expires_in=%s", expires_in)
            return new


class ZaloOutput(MessengerOutput):
    """Sends Rasa's responses to one Zalo user as consultation messages; buttons become query buttons."""

    channel = CHANNEL
    text_limit = TEXT_LIMIT

    def __init__(self, client: ZaloClient, outbox: OutboxStore) -> None:
        super().__init__(
            Courier(CHANNEL, lambda recipient, body: client.send(messenger_id_of(recipient), body), outbox)
        )

    def with_buttons(self, text: str, buttons: List[Dict[Text, Any]]) -> Dict[str, Any]:
        """At most MAX_BUTTONS query buttons; one whose payload is too long for Zalo is left out.

        The 👍/👎 of an answer are always kept; the other buttons are cut from the end ("Bỏ qua"
        of a survey question can still be typed).
        """
        usable = [b for b in buttons if len(b["payload"]) <= BUTTON_PAYLOAD_LIMIT]
        thumbs = [b for b in usable if is_feedback_button(b)]
        others = [b for b in usable if not is_feedback_button(b)][: MAX_BUTTONS - len(thumbs)]
        zalo_buttons = [
            {"title": b["title"][:BUTTON_TITLE_LIMIT], "type": "oa.query.hide", "payload": b["payload"]}
            for b in others + thumbs
        ]
        message: Dict[str, Any] = {"text": text}
        if zalo_buttons:
            message["attachment"] = {"type": "template", "payload": {"buttons": zalo_buttons}}
        return message


def sender_of(event: Dict[str, Any]) -> Optional[str]:
    """The Zalo user id an event comes from (the follower for ``follow``), None when it has none."""
    if event.get("event_name") == "follow":
        party = event.get("follower") or event.get("sender")
    else:
        party = event.get("sender")
    user_id = party.get("id") if isinstance(party, dict) else None
    if isinstance(user_id, bool) or not isinstance(user_id, (str, int)):
        return None
    return str(user_id) if USER_ID.fullmatch(str(user_id)) else None


class ZaloInput(InputChannel):
    """Rasa input channel ``zalo``; on when the Zalo app id and OA secret key are set."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "ZaloInput":
        return cls(get_settings().zalo)

    def __init__(
        self, settings: ZaloSettings, tokens: Optional[ZaloTokenStore] = None, outbox: Optional[OutboxStore] = None
    ) -> None:
        self.settings = settings
        self.client = ZaloClient(settings, tokens or ZaloTokenStore.from_settings(settings))
        self.outbox = outbox or OutboxStore.from_settings()
        self.retrier = OutboxRetrier(CHANNEL, self.outbox, self.resend)
        self._recent = RecentDeliveries()
        self._tasks: Set[asyncio.Task] = set()

    async def resend(self, recipient_id: str, body: Dict[str, Any]) -> None:
        """How the outbox retrier sends a kept message."""
        await self.client.send(messenger_id_of(recipient_id), body)

    def verify(self, request: Request) -> Optional[HTTPResponse]:
        """None when the event is authentic and fresh, else the refusal to send."""
        header = request.headers.get("X-ZEvent-Signature", "")
        if not header.startswith("mac="):
            return response.json({"error": "missing X-ZEvent-Signature"}, status=401)
        try:
            event = json.loads(request.body)
            timestamp = str(event["timestamp"])
            sent_at = int(timestamp) / 1000
        except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
            return response.json({"error": "body must be a Zalo event with a timestamp"}, status=400)
        expected = signature(self.settings.app_id or "", request.body, timestamp, self.settings.oa_secret_key or "")
        # Sanic keeps undecodable header bytes as surrogates; compare bytes, never str (non-ASCII str raises).
        if not hmac.compare_digest(header[4:].encode(errors="surrogateescape"), expected.encode()):
            return response.json({"error": "wrong signature"}, status=403)
        if abs(time.time() - sent_at) > self.settings.max_event_age_seconds:
            return response.json({"error": "stale event timestamp"}, status=403)
        return None

    def get_output_channel(self) -> OutputChannel:
        """Where Rasa sends what nobody just asked for (``trigger_intent?output_channel=zalo``)."""
        return ZaloOutput(self.client, self.outbox)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("zalo_webhook", __name__)
        on_new_message = guarantee_reply(on_new_message, redo_failed_turns=True)

        self.retrier.run_beside(webhook, self.settings.enabled)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings.enabled else "off"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.settings.enabled:
                return response.json(
                    {"error": "Zalo channel is off: ZALO_APP_ID/ZALO_OA_SECRET_KEY not set"}, status=404
                )
            refusal = self.verify(request)
            if refusal is not None:
                logger.warning("zalo.refused status=%s", refusal.status)
                return refusal
            event = json.loads(request.body)
            key = hashlib.sha256(request.body).hexdigest()
            if not self._recent.begin(key):
                return response.json({"status": "duplicate"})
            task = asyncio.create_task(self.process(key, event, on_new_message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return response.json({"status": "ok"})

        return webhook

    async def process(
        self, key: str, event: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Handle one acknowledged event; it counts as processed only once handling ended."""
        processed = False
        try:
            await self.handle(event, on_new_message)
            processed = True
        except Exception as exc:  # background task: nobody else would see it; ids only, never the text
            message = event.get("message") if isinstance(event.get("message"), dict) else {}
            logger.error(
                "zalo.event.failed event=%s msg_id=%s sender=%s error=%s",
                event.get("event_name"),
                message.get("msg_id"),
                sender_of(event),
                type(exc).__name__,
            )
        finally:
            if processed:
                self._recent.finish(key)
            else:
                self._recent.abandon(key)

    async def handle(self, event: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Turn one verified event into a Rasa message or a polite reply; malformed ones are logged and ignored."""
        name = str(event.get("event_name") or "")
        if name != "follow" and not name.startswith("user_send_"):
            logger.info("zalo.ignored event=%s", name)
            return
        user_id = sender_of(event)
        if user_id is None:
            logger.warning("zalo.malformed event=%s reason=no_sender", name)
            return
        conversation = conversation_id(CHANNEL, user_id)
        if name == "follow":
            await self._turn(on_new_message, "/greet", conversation, None)
            return
        if name != "user_send_text":
            await ZaloOutput(self.client, self.outbox).send_text_message(conversation, NON_TEXT_REPLY)
            return
        message = event.get("message") if isinstance(event.get("message"), dict) else {}
        text = message.get("text")
        if not isinstance(text, str):
            logger.warning("zalo.malformed event=%s sender=%s reason=no_text", name, user_id)
            return
        await self._turn(on_new_message, text, conversation, {"zalo_msg_id": message.get("msg_id")})

    async def _turn(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        conversation: str,
        metadata: Optional[Dict[str, Any]],
    ) -> None:
        """One Rasa turn, tried again with backoff if Rasa itself fails (sends never make it fail)."""

        def message() -> UserMessage:
            return UserMessage(
                text,
                ZaloOutput(self.client, self.outbox),
                sender_id=conversation,
                input_channel=CHANNEL,
                metadata=metadata,
            )

        for attempt in range(1, TURN_ATTEMPTS):
            try:
                await on_new_message(message())
                return
            except Exception as exc:  # retried below; ids only, never the text
                delay = backoff(attempt)
                logger.error(
                    "zalo.turn.failed conversation=%s attempt=%d delay=%.1f error=%s",
                    conversation,
                    attempt,
                    delay,
                    type(exc).__name__,
                )
                await asyncio.sleep(delay)
        try:
            await on_new_message(message())
        except Exception:
            # Zalo does not deliver an event again: the last failure is answered here.
            await ZaloOutput(self.client, self.outbox).send_text_message(conversation, BUSY_REPLY)
            raise
