"""Application status, requests for a person, complaints and not-understood messages."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import (
    ServiceAction,
    button_payload,
    channel_of,
    english_note,
    entity_values,
    latest_intent,
    latest_text,
    procedure_payload,
    ranked_procedure_intent,
    utter,
)
from actions.guide import answer_from_guide
from actions.procedures import button_title, resolve_turn, send_resolution
from actions.services import Services
from actions.stores.applications import find_application_code
from actions.stores.invitations import INVITING_CHANNELS
from core.contract import FIELD_OF_INTENT, AnswerStatus, Intent, Slot
from core.settings import MESSAGE_TOO_LONG_KEY, VIETNAM_TIME
from knowledge_base.answers import format_number
from knowledge_base.question_kind import answer_field
from knowledge_base.resolver import AMBIGUOUS, FOUND, LEGAL, Resolution
from knowledge_base.text import is_button_payload

logger = logging.getLogger(__name__)

# A message NLU did not understand is still searched, up to this many characters.
MAX_FALLBACK_CHARS = 500
NOTIFY_BUTTON = "Nhắn tôi khi hồ sơ có kết quả"
# Intents action_other_question answers with their own response when no procedure is named.
OTHER_INTENTS = ("help", "account_help", "out_of_scope")


class ActionGreet(ServiceAction):
    """The first screen (widget opened, Telegram /start, Zalo follow, "xin chào"): what the assistant
    can and cannot do, and the topics; a note first when the greeting is in English."""

    def name(self) -> Text:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        english_note(dispatcher, self.services.settings, tracker)
        utter(dispatcher, self.services.settings, "utter_greet")
        return []


class ActionTrackApplication(ServiceAction):
    """Looks up an application by the code on the citizen's receipt."""

    def name(self) -> Text:
        return "action_track_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        candidates = entity_values(tracker, "application_code") + [latest_text(tracker)]
        code = next((found for found in map(find_application_code, candidates) if found), None)
        if code is None:
            dispatcher.utter_message(response="utter_ask_application_code")
            return []
        status = self.services.applications.status(code)
        settings = self.services.settings
        if status is None:
            logger.info("application.unknown conversation=%s", tracker.sender_id)
            utter(dispatcher, settings, "utter_application_not_found", code=code)
            return [SlotSet(Slot.APPLICATION_CODE, None)]
        record = self.services.procedures.get(status.procedure_id) if status.procedure_id else None
        if entity_values(tracker, "notify") and not status.completed:
            if self.services.invitations.opt_in(tracker.sender_id, channel_of(tracker), status.code):
                utter(dispatcher, settings, "utter_completion_opt_in", code=status.code)
            else:
                utter(dispatcher, settings, "utter_completion_opt_in_unavailable")
            return [SlotSet(Slot.APPLICATION_CODE, status.code)]
        # Telegram and Zalo can message the citizen later: offer to invite them to evaluate the service.
        buttons = []
        if not status.completed and channel_of(tracker) in INVITING_CHANNELS:
            payload = button_payload(Intent.TRACK_APPLICATION, application_code=status.code, notify="yes")
            buttons.append({"title": NOTIFY_BUTTON, "payload": payload})
        utter(
            dispatcher,
            settings,
            "utter_application_status",
            buttons,
            code=status.code,
            procedure=f" ({record['name']})" if record else "",
            status=status.status,
            updated=f"{status.updated_at.astimezone(VIETNAM_TIME):%H:%M %d/%m/%Y}",
            note=f"\n{status.note}" if status.note else "",
        )
        return [SlotSet(Slot.APPLICATION_CODE, status.code)]


class ActionPaymentHelp(ServiceAction):
    """How to pay online; the hotline and the portal in the text come from the settings."""

    def name(self) -> Text:
        return "action_payment_help"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        english_note(dispatcher, self.services.settings, tracker)
        answered = answer_from_guide(self.services, dispatcher, tracker)
        if answered is not None:
            return answered
        utter(dispatcher, self.services.settings, "utter_payment_help")
        return []


def resolve_unsure(services: Services, tracker: Tracker) -> Resolution:
    """The resolver's decision for a message NLU filed outside the procedure questions: whole-message
    evidence only, never the conversation's procedure."""
    return resolve_turn(
        services.index(),
        Intent.NLU_FALLBACK,
        latest_text(tracker)[:MAX_FALLBACK_CHARS],
        entity_values(tracker, "procedure"),
    )


def answer_unsure(
    services: Services, dispatcher: CollectingDispatcher, tracker: Tracker, resolution: Resolution
) -> List[EventType]:
    """NLU was unsure of the intent, but the message names its procedure in full (or asks about
    the law): answer it, the field from the wording or NLU's best-ranked procedure question."""
    field = answer_field(latest_text(tracker), FIELD_OF_INTENT[ranked_procedure_intent(tracker)])
    return send_resolution(services, dispatcher, tracker, resolution, field)


def answer_if_named(
    services: Services, dispatcher: CollectingDispatcher, tracker: Tracker
) -> Optional[List[EventType]]:
    """A typed message NLU filed outside the procedure questions, answered when it names its
    procedure in full or asks about the law; None (nothing sent) otherwise."""
    if is_button_payload(latest_text(tracker)):
        return None
    resolution = resolve_unsure(services, tracker)
    if resolution.status not in (FOUND, LEGAL):
        return None
    return answer_unsure(services, dispatcher, tracker, resolution)


class ActionFallback(ServiceAction):
    """A polite "I did not understand", with a suggestion when a procedure name is recognisable."""

    def name(self) -> Text:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        text = latest_text(tracker)
        english_note(dispatcher, self.services.settings, tracker)
        original_length = (tracker.latest_message or {}).get(MESSAGE_TOO_LONG_KEY)
        logger.info("fallback conversation=%s length=%d", tracker.sender_id, original_length or len(text))
        if original_length:
            utter(
                dispatcher,
                self.services.settings,
                "utter_message_too_long",
                length=format_number(original_length),
                limit=format_number(self.services.settings.max_message_chars),
            )
            return [SlotSet(Slot.ANSWER_STATUS, AnswerStatus.MESSAGE_TOO_LONG)]
        resolution = resolve_unsure(self.services, tracker)
        if resolution.status in (FOUND, LEGAL):
            return answer_unsure(self.services, dispatcher, tracker, resolution)
        answered = answer_from_guide(self.services, dispatcher, tracker)
        if answered is not None:
            return answered
        buttons = [
            {"title": "Tôi có thể hỏi gì?", "payload": "/help"},
            {"title": "Gặp cán bộ", "payload": "/request_human"},
        ]
        if resolution.status == AMBIGUOUS:
            buttons[:0] = [
                {
                    "title": button_title(number, f"Ý bạn là: {hit.name}"),
                    "payload": procedure_payload(ranked_procedure_intent(tracker), hit.id),
                }
                for number, hit in enumerate(resolution.choices, 1)
            ]
        utter(dispatcher, self.services.settings, "utter_not_understood", buttons)
        return [SlotSet(Slot.ANSWER_STATUS, AnswerStatus.NOT_UNDERSTOOD)]


class ActionOtherQuestion(ServiceAction):
    """Help, account help and out-of-scope messages: the usual reply, unless the message names a
    procedure in full or asks about the law. NLU files many long real questions under these
    intents ("Đăng ký tài khoản định danh điện tử mức độ 2 cần số điện thoại chính chủ?")."""

    def name(self) -> Text:
        return "action_other_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        text = latest_text(tracker)
        intent = latest_intent(tracker)
        english_note(dispatcher, self.services.settings, tracker)
        if not is_button_payload(text):
            answered = answer_if_named(self.services, dispatcher, tracker)
            if answered is None:
                answered = answer_from_guide(self.services, dispatcher, tracker)
            if answered is not None:
                return answered
        utter(dispatcher, self.services.settings, f"utter_{intent}" if intent in OTHER_INTENTS else "utter_help")
        return []
