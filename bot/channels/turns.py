"""Every citizen's message gets an answer, even when part of the system is down.

When the action server is unreachable, Rasa logs the failed custom action and carries on: the
turn is stored but the citizen hears nothing. :func:`guarantee_reply` wraps the ``on_new_message``
callback every input channel gets, watches what the turn sends, and when it sent nothing (or
raised) answers "busy, try again" itself. A 👍/👎 pressed meanwhile is stored from here, so no
answer feedback is lost while the action server is away. A survey score pressed meanwhile stays in
the conversation's log (the turn is stored) but cannot be linked to its survey from here.

A conversation an officer has taken (web/dashboard/handoff.py) is paused in Rasa: its turns send
nothing on purpose, and the officer answers. Those turns get no "busy" reply.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage

from actions.stores.feedback import AnswerFeedbackStore
from actions.stores.handoff import HandoffQueue
from core.contract import FEEDBACK_REASONS
from core.db import session_factory

logger = logging.getLogger(__name__)

BUSY_REPLY = "Xin lỗi, hệ thống đang bận. Bạn vui lòng thử lại sau ít phút."
# The 👍/👎 and reason buttons' payloads (actions/base.py feedback_buttons, actions/feedback.py).
_FEEDBACK_PAYLOAD = re.compile(r"^/rate_answer(\{.*\})$", re.DOTALL)
# Sent by a client when the citizen closes it: answered only when there is a survey to offer.
_END_PAYLOAD = re.compile(r"^/end_conversation(\{.*\})?$", re.DOTALL)

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


def feedback_in(text: Optional[str]) -> Optional[Dict[str, str]]:
    """The turn and 👍/👎 or reason a feedback button carries, else None."""
    match = _FEEDBACK_PAYLOAD.match((text or "").strip())
    if not match:
        return None
    try:
        values = json.loads(match.group(1))
    except ValueError:
        return None
    if not isinstance(values, dict):
        return None
    turn = str(values.get("turn") or "").strip()
    helpful = str(values.get("helpful") or "").strip().lower()
    reason = str(values.get("reason") or "").strip()
    if not turn:
        return None
    if helpful in ("up", "down"):
        return {"turn": turn, "helpful": helpful}
    if reason in FEEDBACK_REASONS:
        return {"turn": turn, "reason": reason}
    return None


def keep_feedback(message: UserMessage, feedback: Dict[str, str], store: Optional[AnswerFeedbackStore] = None) -> None:
    """Store a 👍/👎 (or a 👎's reason) whose turn failed; the action server normally stores it.

    The procedure and intent of the rated turn are read by the action server from the
    conversation; here they stay empty, and the row is still linked to its turn by id.
    """
    store = store or AnswerFeedbackStore(session_factory())
    channel = message.input_channel or "rest"
    if "helpful" in feedback:
        store.rate(message.sender_id, feedback["turn"], channel, feedback["helpful"] == "up")
    else:
        store.give_reason(message.sender_id, feedback["turn"], channel, feedback["reason"])
    logger.warning("turn.feedback_kept conversation=%s channel=%s", message.sender_id, channel)


def is_silent_turn(text: Optional[str]) -> bool:
    """A message that may rightly get no reply (the widget closed with nothing to survey)."""
    return bool(_END_PAYLOAD.match((text or "").strip()))


def officer_has_it(conversation_id: str, queue: Optional[HandoffQueue] = None) -> bool:
    """True while an officer holds the conversation; a database error counts as no (say "busy")."""
    try:
        return (queue or HandoffQueue(session_factory())).is_taken(conversation_id)
    except Exception as exc:
        logger.error("turn.handoff_check_failed conversation=%s error=%s", conversation_id, type(exc).__name__)
        return False


def guarantee_reply(
    on_new_message: OnNewMessage,
    feedback: Optional[AnswerFeedbackStore] = None,
    conversation_id: Optional[Callable[[str], str]] = None,
    redo_failed_turns: bool = False,
    handoffs: Optional[HandoffQueue] = None,
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
        result, failed = None, None
        try:
            result = await on_new_message(message)
        except Exception as exc:  # the citizen must hear something; the cause is logged, not the text
            logger.error(
                "turn.failed conversation=%s channel=%s error=%s",
                message.sender_id,
                message.input_channel,
                type(exc).__name__,
            )
            failed = exc
            if redo_failed_turns:
                raise
        if watched.sent or (failed is None and is_silent_turn(message.text)):
            return result
        if failed is None and officer_has_it(message.sender_id, handoffs):
            logger.info("turn.with_officer conversation=%s channel=%s", message.sender_id, message.input_channel)
            return result
        logger.warning("turn.no_reply conversation=%s channel=%s", message.sender_id, message.input_channel)
        pressed = feedback_in(message.text)
        if pressed is not None:
            try:
                keep_feedback(message, pressed, feedback)
            except Exception as exc:
                logger.error("turn.feedback_lost conversation=%s error=%s", message.sender_id, type(exc).__name__)
        try:
            await inner.send_response(watched.recipient, {"text": BUSY_REPLY})
        except Exception as exc:
            logger.error("turn.busy_reply_failed conversation=%s error=%s", message.sender_id, type(exc).__name__)
        return result

    return handle
