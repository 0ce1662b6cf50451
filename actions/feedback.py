"""Feedback on the assistant's answers: 👍/👎 on the answer itself, the reason after a 👎, "Góp ý thêm".

A 👍/👎 names the turn it rates (the id of the citizen's message the answer replied to), so it is
stored with that turn's procedure and intent, read from the conversation itself, never guessed
from the time. Nothing here holds the conversation hostage: the reasons are buttons the citizen
may ignore, and the one message typed after "Góp ý thêm" is stored as the comment only when it is
not a question, a greeting or a button press; those are answered as what they are.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import (
    DOWN,
    UP,
    ServiceAction,
    UsesServices,
    button_payload,
    channel_of,
    entity_values,
    feedback_buttons,
    latest_intent,
    latest_text,
    utter,
)
from actions.guide import STRONG_MIN_SCORE
from actions.services import Services
from core.contract import PROCEDURE_INTENTS, AnswerStatus, FeedbackReason, Intent, Slot
from knowledge_base.privacy import mask_personal_data
from knowledge_base.resolver import AMBIGUOUS, FOUND, resolve_procedure
from knowledge_base.text import fold, is_button_payload

logger = logging.getLogger(__name__)

SKIPPED = "(bỏ qua)"
# The value a form slot takes when the message asked something instead: the form ends and the
# question is answered by the action its intent's rule names (ANSWERING_ACTION).
QUESTION = "(câu hỏi)"
SKIP_WORDS = {"bo qua", "khong", "thoi", "khong co", "khong a", "skip", "-", "ko", "k", "khong gop y", "khong can"}
REASON_BUTTONS = (
    (FeedbackReason.WRONG_INFORMATION, "Sai thông tin"),
    (FeedbackReason.WRONG_PROCEDURE, "Không đúng thủ tục tôi hỏi"),
    (FeedbackReason.HARD_TO_UNDERSTAND, "Khó hiểu"),
    (FeedbackReason.MISSING_INFORMATION, "Thiếu thông tin"),
    (FeedbackReason.OTHER, "Khác"),
)
COMMENT_BUTTON = "Góp ý thêm"
# The action nlu_data/rules.yml runs for each intent that may interrupt a comment or the survey
# (tests/actions/test_feedback.py checks the two agree).
ANSWERING_ACTION = {
    **{intent: "action_answer_procedure" for intent in PROCEDURE_INTENTS},
    Intent.NLU_FALLBACK: "action_fallback",
    Intent.ASK_GUIDE: "action_answer_guide",
    Intent.ACCOUNT_HELP: "action_other_question",
    Intent.PAYMENT_HELP: "action_payment_help",
    Intent.TRACK_APPLICATION: "action_track_application",
    Intent.REQUEST_HUMAN: "action_handoff",
    Intent.GREET: "action_greet",
    Intent.GOODBYE: "action_offer_survey",
    Intent.RATE_ANSWER: "action_rate_answer",
    Intent.WALKTHROUGH_NEXT: "action_walkthrough_step",
    Intent.WALKTHROUGH_STUCK: "action_walkthrough_help",
}
# Typed, these are what they say whatever else the message holds.
_CONVERSATION_INTENTS = {Intent.GREET, Intent.GOODBYE, Intent.REQUEST_HUMAN, Intent.TRACK_APPLICATION}
_ANSWERED = {AnswerStatus.ANSWERED, AnswerStatus.GUIDE}
# Question words, diacritics folded (knowledge_base.text.fold).
_ASKING_WORDS = re.compile(
    r"\b(gi|bao nhieu|bao lau|o dau|the nao|nhu nao|lam sao|tai sao|sao|nao|khi nao|may ngay"
    r"|duoc khong|co can|co phai|can lam|hoi)\b"
)


@dataclass(frozen=True)
class AnsweredTurn:
    """One turn the assistant answered: the citizen message's id, and what the answer was about."""

    turn_id: str
    procedure_id: Optional[str]
    intent: Optional[str]


def answered_turns(tracker: Tracker) -> List[AnsweredTurn]:
    """Every turn of the conversation that got an answer (a procedure or a guide entry), oldest first."""
    turns: List[AnsweredTurn] = []
    turn_id, intent, status, procedure_id, answered_intent = None, None, None, None, None

    def close() -> None:
        if turn_id and status in _ANSWERED:
            turns.append(
                AnsweredTurn(
                    turn_id, procedure_id if status == AnswerStatus.ANSWERED else None, answered_intent or intent
                )
            )

    for event in tracker.events:
        kind = event.get("event")
        if kind == "user":
            close()
            turn_id = event.get("message_id")
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            status, answered_intent = None, None
        elif kind == "slot" and turn_id:
            name, value = event.get("name"), event.get("value")
            if name == Slot.ANSWER_STATUS:
                status = value
            elif name == Slot.PROCEDURE_ID and value:
                procedure_id = value
            elif name == Slot.ANSWERED_INTENT:
                answered_intent = value
    close()
    return turns


def _rated_turn(tracker: Tracker, turn_id: Optional[str]) -> Optional[AnsweredTurn]:
    """The answered turn a feedback message names; without a name, the latest answered turn."""
    turns = answered_turns(tracker)
    if not turn_id:
        return turns[-1] if turns else None
    return next((turn for turn in turns if turn.turn_id == turn_id), None)


def _first(tracker: Tracker, entity: str) -> Optional[str]:
    values = entity_values(tracker, entity)
    return values[0].strip().lower() if values else None


class ActionRateAnswer(ServiceAction):
    """rate_answer: a 👍/👎 on one answer, the reason of a 👎, or "Góp ý thêm" (which opens comment_form)."""

    def name(self) -> Text:
        return "action_rate_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        settings = self.services.settings
        turn = _rated_turn(tracker, _first(tracker, "turn"))
        if turn is None:
            utter(dispatcher, settings, "utter_feedback_turn_unknown")
            return []
        store, conversation, channel = self.services.feedback, tracker.sender_id, channel_of(tracker)
        helpful, reason = _first(tracker, "helpful"), _first(tracker, "reason")
        if _first(tracker, "comment"):
            return [SlotSet(Slot.COMMENT_TURN, turn.turn_id), FollowupAction("comment_form")]
        if reason in {code for code, _title in REASON_BUTTONS}:
            store.give_reason(conversation, turn.turn_id, channel, reason, turn.procedure_id, turn.intent)
            button = {
                "title": COMMENT_BUTTON,
                "payload": button_payload(Intent.RATE_ANSWER, turn=turn.turn_id, comment="yes"),
            }
            utter(dispatcher, settings, "utter_feedback_reason_thanks", [button])
            return []
        if helpful not in (UP, DOWN):
            # Typed ("câu trả lời không hữu ích"): ask with the buttons, on the latest answer.
            utter(dispatcher, settings, "utter_ask_feedback_helpful", feedback_buttons(turn.turn_id))
            return []
        store.rate(conversation, turn.turn_id, channel, helpful == UP, turn.procedure_id, turn.intent)
        if helpful == UP:
            utter(dispatcher, settings, "utter_feedback_thanks")
            return []
        buttons = [
            {"title": title, "payload": button_payload(Intent.RATE_ANSWER, turn=turn.turn_id, reason=code)}
            for code, title in REASON_BUTTONS
        ]
        utter(dispatcher, settings, "utter_ask_feedback_reason", buttons)
        return []


def asks_something(text: str) -> bool:
    """Whether the words are phrased as a question ("cần gì", "bao lâu", "được không", "?")."""
    return "?" in text or bool(_ASKING_WORDS.search(fold(text)))


def is_question(services: Services, tracker: Tracker) -> bool:
    """Whether the latest message asks something (or presses a button) rather than answering a prompt.

    A message counts as a question only on evidence: a button press, a greeting or goodbye, a
    request for a person, words that clearly name one procedure, or a question ("cần gì", "?")
    that names several procedures or matches a guide entry. "không nói rõ địa chỉ" or "sai thông
    tin rồi" ask nothing and name no procedure clearly, so after "Góp ý thêm" they are the comment
    they look like.
    """
    text = latest_text(tracker)
    intent = latest_intent(tracker)
    if is_button_payload(text):
        return True
    if intent in _CONVERSATION_INTENTS:
        return True
    if intent not in ANSWERING_ACTION:
        return False
    resolution = resolve_procedure(services.index(), text, entity_values(tracker, "procedure"), None)
    if resolution.status == FOUND:
        return True
    if not asks_something(text):
        return False
    return resolution.status == AMBIGUOUS or services.guide.match(text, STRONG_MIN_SCORE).entry is not None


# The modules whose actions may answer an interrupting message (imported on first use: they import this one).
_ANSWERING_MODULES = (
    "actions.procedures",
    "actions.service_help",
    "actions.guide",
    "actions.walkthrough",
    "actions.feedback",
    "actions.survey",
    "actions.handoff",
)


def _answering_action(name: str, services: Services) -> Optional[ServiceAction]:
    for module in _ANSWERING_MODULES:
        importlib.import_module(module)
    pending = list(ServiceAction.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not inspect.isabstract(cls) and cls(services).name() == name:
            return cls(services)
    return None


async def hand_over(
    services: Services, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
) -> List[EventType]:
    """Answer the latest message as the question it is, in this same turn, by the action its intent's rule names.

    Run here rather than as a FollowupAction: after a followup the policies no longer see the
    rule's "question, then its answer" and would not listen again.
    """
    name = ANSWERING_ACTION.get(latest_intent(tracker) or "")
    logger.info(
        "prompt.interrupted conversation=%s intent=%s action=%s", tracker.sender_id, latest_intent(tracker), name
    )
    action = _answering_action(name, services) if name else None
    if action is None:
        return []
    return list(await action.run(dispatcher, tracker, domain) or [])


def original_text(tracker: Tracker) -> str:
    """The citizen's own words of the latest message (before NLU normalisation)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("text") or ""
    return ""


class ValidateCommentForm(UsesServices, FormValidationAction):
    """The one message after "Góp ý thêm": the comment, "Bỏ qua", or a question that ends the prompt."""

    def name(self) -> Text:
        return "validate_comment_form"

    def validate_feedback_comment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != Slot.FEEDBACK_COMMENT:
            return {Slot.FEEDBACK_COMMENT: tracker.get_slot(Slot.FEEDBACK_COMMENT)}
        text = original_text(tracker).strip() or str(value or "").strip()
        if not text or fold(text) in SKIP_WORDS:
            return {Slot.FEEDBACK_COMMENT: SKIPPED}
        if is_question(self.services, tracker):
            return {Slot.FEEDBACK_COMMENT: QUESTION, "requested_slot": None}
        turn_id = tracker.get_slot(Slot.COMMENT_TURN)
        stored = bool(turn_id) and self.services.feedback.comment(tracker.sender_id, turn_id, text)
        if not stored:
            logger.warning("feedback.comment_without_rating conversation=%s turn=%s", tracker.sender_id, turn_id)
        return {Slot.FEEDBACK_COMMENT: mask_personal_data(text)}


class ActionCommentDone(ServiceAction):
    """After the comment prompt: thanks, "OK", or the interrupting question answered."""

    def name(self) -> Text:
        return "action_comment_done"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        value = tracker.get_slot(Slot.FEEDBACK_COMMENT)
        reset: List[EventType] = [SlotSet(Slot.FEEDBACK_COMMENT, None), SlotSet(Slot.COMMENT_TURN, None)]
        if value == QUESTION:
            return reset + await hand_over(self.services, dispatcher, tracker, domain)
        utter(
            dispatcher, self.services.settings, "utter_comment_skipped" if value == SKIPPED else "utter_comment_thanks"
        )
        return reset
