"""Every citizen's message gets an answer, even when part of the system is down.

When the action server is unreachable, Rasa logs the failed custom action and carries on: the
turn is stored but the citizen hears nothing. :func:`guarantee_reply` wraps the ``on_new_message``
callback every input channel gets, watches what the turn sends, and when it sent nothing (or
raised) answers "busy, try again" itself. A rating button pressed meanwhile is stored from here,
so no rating is lost while the action server is away.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage

from actions.stores.ratings import MAX_SCORE, MIN_SCORE, RatingStore
from core.db import session_factory

logger = logging.getLogger(__name__)

BUSY_REPLY = "Xin lỗi, hệ thống đang bận. Bạn vui lòng thử lại sau ít phút."
# The rating buttons' payloads (bot/domain.yml, utter_ask_rating and the 👍/👎 buttons).
_RATING_PAYLOAD = re.compile(r"^/rate_service(\{.*\})$", re.DOTALL)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class WatchedOutput(OutputChannel):
    """Passes every response on to the real output channel (to ``recipient``) and counts them."""

    def __init__(self, inner: OutputChannel, recipient: Text) -> None:
        self.inner = inner
        self.recipient = recipient
        self.sent = 0

    def name(self) -> Text:  # type: ignore[override]
        return self.inner.name()

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        await self.inner.send_response(self.recipient, message)
        self.sent += 1


def rating_in(text: Optional[str]) -> Optional[str]:
    """The rating value a rating button carries ("1".."5", "up", "down"), else None."""
    match = _RATING_PAYLOAD.match((text or "").strip())
    if not match:
        return None
    try:
        value = json.loads(match.group(1)).get("rating")
    except (ValueError, AttributeError):
        return None
    value = str(value).strip().lower() if value is not None else ""
    if value in ("up", "down") or (value.isdigit() and MIN_SCORE <= int(value) <= MAX_SCORE):
        return value
    return None


def keep_rating(message: UserMessage, value: str, ratings: Optional[RatingStore] = None) -> None:
    """Store a rating whose turn failed (the action server normally stores it)."""
    store = ratings or RatingStore(session_factory())
    channel = message.input_channel or "rest"
    if value in ("up", "down"):
        store.add_helpful(message.sender_id, channel, value == "up")
    else:
        store.add_score(message.sender_id, channel, int(value))
    logger.warning("turn.rating_kept conversation=%s channel=%s", message.sender_id, channel)


def guarantee_reply(
    on_new_message: OnNewMessage,
    ratings: Optional[RatingStore] = None,
    conversation_id: Optional[Callable[[str], str]] = None,
    redo_failed_turns: bool = False,
) -> OnNewMessage:
    """``on_new_message`` that answers "busy" when the turn itself answered nothing.

    ``conversation_id`` maps the id a client chose to the one stored (replies still go to the
    client's own id): a channel whose clients pick their ids uses it so none is stored raw.
    A channel that does the turn again when it fails (Telegram redelivers, Zalo retries) sets
    ``redo_failed_turns``: a turn that raised is then raised again for it, not answered "busy".
    """

    async def handle(message: UserMessage) -> Any:
        inner = message.output_channel
        watched = WatchedOutput(inner, message.sender_id)
        message.output_channel = watched
        if conversation_id is not None:
            message.sender_id = conversation_id(message.sender_id)
        result = None
        try:
            result = await on_new_message(message)
        except Exception as exc:  # the citizen must hear something; the cause is logged, not the text
            logger.error(
                "turn.failed conversation=%s channel=%s error=%s",
                message.sender_id,
                message.input_channel,
                type(exc).__name__,
            )
            if redo_failed_turns:
                raise
        if watched.sent:
            return result
        logger.warning("turn.no_reply conversation=%s channel=%s", message.sender_id, message.input_channel)
        value = rating_in(message.text)
        if value is not None:
            try:
                keep_rating(message, value, ratings)
            except Exception as exc:
                logger.error("turn.rating_lost conversation=%s error=%s", message.sender_id, type(exc).__name__)
        try:
            await inner.send_response(watched.recipient, {"text": BUSY_REPLY})
        except Exception as exc:
            logger.error("turn.busy_reply_failed conversation=%s error=%s", message.sender_id, type(exc).__name__)
        return result

    return handle
