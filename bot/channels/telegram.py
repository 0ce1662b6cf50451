"""Telegram channel for Rasa, built on python-telegram-bot (replaces Rasa's aiogram connector).

Webhook: ``POST /webhooks/telegram/webhook``. Every request must carry the secret set with
``setWebhook`` in ``X-Telegram-Bot-Api-Secret-Token``; otherwise 403 and nothing is processed.
Updates are parsed with ``telegram.Update.de_json`` and replies sent with ``telegram.Bot``,
whose ``base_url`` comes from ``TELEGRAM_API_BASE_URL`` (tests point it at a fake Bot API).

Replies are sent as plain text (no parse mode), so nothing needs escaping and a citizen's
or a record's "*" or "<" can never break formatting. Buttons become inline keyboards;
Telegram limits ``callback_data`` to 64 bytes, so longer payloads travel as a short key
stored in the database (it survives restarts).

Delivery: each Bot API call is retried inside the request on PTB's ``RetryAfter`` (when the
wait is short) and ``NetworkError`` (5xx such as 502, ``TimedOut``, connection failures),
with backoff. A reply that still fails goes to the outbox (bot/channels/outbox.py) and is
resent later, so a send never aborts Rasa's turn and the citizen's message is always stored.
PTB's own ``AIORateLimiter`` is not used: it needs the optional ``aiolimiter`` package, and
``BaseRateLimiter`` may only handle ``RetryAfter``, not network failures.

An update counts as processed once its turn is stored: if processing fails the webhook answers
500, and Telegram's redelivery of the same ``update_id`` is processed; a redelivery after success
is answered "duplicate".
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, MessageLimit
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot.channels.callback_store import CallbackStore
from bot.channels.messages import SEND_ATTEMPTS, RecentDeliveries, backoff
from bot.channels.messenger import MessengerOutput, conversation_id, messenger_id_of
from bot.channels.outbox import Courier, OutboxRetrier, OutboxStore
from bot.channels.turns import guarantee_reply
from core.settings import TelegramSettings, get_settings

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
CALLBACK_DATA_LIMIT = 64
# Buttons with titles this short share a row, at most ROW_WIDTH to a row.
SHORT_TITLE_CHARS = 2
ROW_WIDTH = 5
# A longer 429 wait is not spent holding the webhook request: the outbox resends later.
MAX_RETRY_AFTER_SECONDS = 5.0
# Resending cannot help: the message itself was refused, or the citizen blocked the bot.
PERMANENT_ERRORS = (BadRequest, Forbidden, ChatMigrated)
NON_TEXT_REPLY = "Xin lỗi, hiện tôi chỉ đọc được tin nhắn chữ. Bạn vui lòng gõ câu hỏi nhé."
EXPIRED_BUTTON_REPLY = "Nút này đã hết hạn. Bạn vui lòng gõ lại câu hỏi nhé."


async def with_retry(call: Callable[[], Awaitable[Any]]) -> Any:
    """Run a Bot API call, retrying a short 429 after ``retry_after`` and network failures with backoff."""
    for attempt in range(1, SEND_ATTEMPTS):
        try:
            return await call()
        except RetryAfter as exc:
            delay = exc.retry_after
            seconds = delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay)
            if seconds > MAX_RETRY_AFTER_SECONDS:
                raise
            logger.warning("telegram.rate_limited retry_after=%s attempt=%d", seconds, attempt)
        except NetworkError as exc:  # 5xx, TimedOut, connection errors; BadRequest is one too, but final
            if isinstance(exc, BadRequest):
                raise
            seconds = backoff(attempt)
            logger.warning("telegram.send_retry attempt=%d delay=%.1f error=%s", attempt, seconds, type(exc).__name__)
        await asyncio.sleep(seconds)
    return await call()


def command_text(text: str) -> str:
    """A typed message as Rasa should read it: Telegram's /start greets and /help asks for help
    (also as /start@BotName); anything else is the citizen's own words."""
    command = text.split()[0].split("@")[0].lower() if text.startswith("/") else ""
    return {"/start": "/greet", "/help": "/help"}.get(command, text)


def keyboard_rows(buttons: List[Dict[str, Any]]) -> List[List[Dict[str, Any]]]:
    """Buttons laid out as a citizen reads them: short ones (👍 👎, 1 to 5) side by side in one
    row, each longer one (a procedure's name, "Bỏ qua") on a row of its own."""
    rows: List[List[Dict[str, Any]]] = []
    for button in buttons:
        short = len(button["text"]) <= SHORT_TITLE_CHARS
        if short and rows and len(rows[-1]) < ROW_WIDTH and len(rows[-1][-1]["text"]) <= SHORT_TITLE_CHARS:
            rows[-1].append(button)
        else:
            rows.append([button])
    return rows


async def send_body(bot: Bot, recipient_id: str, body: Dict[str, Any]) -> None:
    """Send one message as the outbox keeps it: ``{"text", "buttons": [{"text", "callback_data"}]}``
    or ``{"photo"}``."""
    chat_id = messenger_id_of(recipient_id)
    if "photo" in body:
        await with_retry(lambda: bot.send_photo(chat_id=chat_id, photo=body["photo"]))
        return
    buttons = body.get("buttons") or []
    keyboard = (
        InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(button["text"], callback_data=button["callback_data"]) for button in row]
                for row in keyboard_rows(buttons)
            ]
        )
        if buttons
        else None
    )
    await with_retry(lambda: bot.send_message(chat_id=chat_id, text=body["text"], reply_markup=keyboard))


class TelegramOutput(MessengerOutput):
    """Sends Rasa's responses to one Telegram chat; buttons become an inline keyboard."""

    channel = CHANNEL
    text_limit = MessageLimit.MAX_TEXT_LENGTH

    def __init__(
        self,
        bot: Optional[Bot],
        callbacks: CallbackStore,
        outbox: OutboxStore,
        send: Optional[Callable[[str, Dict[str, Any]], Awaitable[None]]] = None,
    ) -> None:
        """Sends with ``bot``, or with ``send`` where the bot is made later (TelegramInput.resend)."""
        deliver = send or (lambda recipient, body: send_body(bot, recipient, body))
        super().__init__(Courier(CHANNEL, deliver, outbox, PERMANENT_ERRORS))
        self.callbacks = callbacks

    def with_buttons(self, text: str, buttons: List[Dict[Text, Any]]) -> Dict[str, Any]:
        keyboard = [
            {"text": button["title"], "callback_data": self.callback_data(button["payload"])} for button in buttons
        ]
        return {"text": text, "buttons": keyboard}

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self.courier.deliver(recipient_id, {"photo": image})

    def callback_data(self, payload: str) -> str:
        """The payload itself when it fits in 64 bytes, else a stored short key."""
        if len(payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            return payload
        return self.callbacks.key_for(payload)


class TelegramInput(InputChannel):
    """Rasa input channel ``telegram``; on when ``TELEGRAM_BOT_TOKEN`` is set."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TelegramInput":
        return cls(get_settings().telegram)

    def __init__(
        self,
        settings: TelegramSettings,
        callbacks: Optional[CallbackStore] = None,
        outbox: Optional[OutboxStore] = None,
    ) -> None:
        self.settings = settings
        self.callbacks = callbacks or CallbackStore.from_settings()
        self.outbox = outbox or OutboxStore.from_settings()
        self.retrier = OutboxRetrier(CHANNEL, self.outbox, self.resend, PERMANENT_ERRORS)
        self.recent = RecentDeliveries()
        self._bot: Optional[Bot] = None
        self._lock = asyncio.Lock()

    async def bot(self) -> Bot:
        """The initialised Bot (``getMe`` once), created lazily inside the server's loop."""
        async with self._lock:
            if self._bot is None:
                # Each try of a call is bounded, so SEND_ATTEMPTS tries stay well under Telegram's
                # webhook timeout; a messenger that is down is left to the outbox.
                request = HTTPXRequest(connect_timeout=3.0, read_timeout=5.0, write_timeout=5.0, pool_timeout=1.0)
                bot = Bot(token=self.settings.token, base_url=self.settings.api_base_url, request=request)
                await with_retry(bot.initialize)
                self._bot = bot
                if self.settings.webhook_url:
                    await with_retry(
                        lambda: bot.set_webhook(
                            url=self.settings.webhook_url,
                            secret_token=self.settings.webhook_secret,
                            allowed_updates=["message", "callback_query"],
                        )
                    )
                    logger.info("telegram.webhook.set url=%s", self.settings.webhook_url)
        return self._bot

    def get_output_channel(self) -> OutputChannel:
        """Where Rasa sends what nobody just asked for (the idle reminder, an invitation after a
        completed dossier: ``trigger_intent?output_channel=telegram``): the chat of the conversation."""
        return TelegramOutput(None, self.callbacks, self.outbox, send=self.resend)

    async def resend(self, recipient_id: str, body: Dict[str, Any]) -> None:
        """How the outbox retrier sends a kept message."""
        await send_body(await self.bot(), recipient_id, body)

    def secret_ok(self, request: Request) -> bool:
        expected = self.settings.webhook_secret or ""
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        # Sanic keeps undecodable header bytes as surrogates: a non-ASCII header must be refused, not crash.
        return bool(expected) and hmac.compare_digest(given.encode(errors="surrogateescape"), expected.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("telegram_webhook", __name__)
        on_new_message = guarantee_reply(on_new_message, redo_failed_turns=True)

        @webhook.listener("after_server_start")
        async def register_webhook(*_: Any) -> None:
            """With TELEGRAM_WEBHOOK_URL set, call setWebhook (with the secret) at start."""
            if self.settings.enabled and self.settings.webhook_url:
                try:
                    await self.bot()
                except TelegramError as exc:
                    logger.error("telegram.webhook.set_failed error=%s", exc)

        self.retrier.run_beside(webhook, self.settings.enabled)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings.enabled else "off"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.settings.enabled:
                return response.json({"error": "Telegram channel is off: TELEGRAM_BOT_TOKEN is not set"}, status=404)
            if not self.secret_ok(request):
                logger.warning("telegram.refused reason=secret")
                return response.json({"error": "missing or wrong secret token"}, status=403)
            payload = request.json
            if not isinstance(payload, dict) or "update_id" not in payload:
                return response.json({"error": "body must be a Telegram Update object"}, status=400)
            try:
                bot = await self.bot()
            except TelegramError as exc:
                logger.error("telegram.unavailable error=%s", type(exc).__name__)
                return response.json({"error": "Bot API unreachable; deliver the update again"}, status=503)
            update = Update.de_json(payload, bot)
            update_id = update.update_id
            if not self.recent.begin(update_id):
                if self.recent.processed(update_id):
                    logger.info("telegram.duplicate update_id=%s", update_id)
                    return response.json({"status": "duplicate"})
                logger.info("telegram.in_progress update_id=%s", update_id)
                return response.json({"error": "this update is being processed"}, status=409)
            processed = False
            try:
                await self.handle(update, bot, on_new_message)
                processed = True
            except Exception as exc:  # the turn was not stored: Telegram's redelivery must be processed
                logger.error("telegram.update.failed update_id=%s error=%s", update_id, type(exc).__name__)
                return response.json({"error": "update not processed; deliver it again"}, status=500)
            finally:
                if processed:
                    self.recent.finish(update_id)
                else:
                    self.recent.abandon(update_id)
            return response.json({"status": "ok"})

        return webhook

    async def handle(self, update: Update, bot: Bot, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Turn one update into a Rasa message (or a polite reply, or nothing)."""
        output = TelegramOutput(bot, self.callbacks, self.outbox)
        if update.callback_query is not None:
            query = update.callback_query
            try:
                await with_retry(query.answer)
            except TelegramError as exc:  # only stops the button's spinner; the press still counts
                logger.info(
                    "telegram.answer_callback_failed update_id=%s error=%s", update.update_id, type(exc).__name__
                )
            chat_id = query.message.chat.id if query.message else query.from_user.id
            payload = self.callbacks.payload_for(query.data or "")
            if payload is None:
                await output.send_text_message(conversation_id(CHANNEL, chat_id), EXPIRED_BUTTON_REPLY)
                return
            await self._forward(on_new_message, output, bot, chat_id, payload, update)
            return
        message = update.message
        if message is None:
            # edited messages, channel posts, membership changes: nothing a citizen asked
            logger.info("telegram.ignored update_id=%s", update.update_id)
            return
        if not message.text:
            await output.send_text_message(conversation_id(CHANNEL, message.chat.id), NON_TEXT_REPLY)
            return
        text = command_text(message.text.strip())
        await self._forward(on_new_message, output, bot, message.chat.id, text, update)

    async def _forward(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        output: TelegramOutput,
        bot: Bot,
        chat_id: int,
        text: str,
        update: Update,
    ) -> None:
        try:
            await bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)
        except TelegramError as exc:  # typing is a courtesy; never lose the message over it
            logger.info("telegram.typing_failed error=%s", exc)
        await on_new_message(
            UserMessage(
                text,
                output,
                sender_id=conversation_id(CHANNEL, chat_id),
                input_channel=CHANNEL,
                metadata={"telegram_update_id": update.update_id},
            )
        )
