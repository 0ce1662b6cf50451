"""Answering questions about procedures from the knowledge base."""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, Iterable, List, Optional, Text
from urllib.parse import quote_plus

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import (
    ServiceAction,
    current_turn_id,
    english_note,
    entity_values,
    feedback_buttons,
    field_payload,
    latest_intent,
    latest_text,
    procedure_payload,
    utter,
)
from actions.guide import STRONG_MIN_SCORE, answer_from_guide
from actions.services import Services
from actions.survey import idle_reminder
from core.contract import FIELD_OF_INTENT, INTENT_OF_FIELD, PROCEDURE_INTENTS, AnswerStatus, Field, Intent, Slot
from knowledge_base.answers import compose_answer
from knowledge_base.privacy import mask_personal_data
from knowledge_base.question_kind import answer_field
from knowledge_base.resolver import (
    AMBIGUOUS,
    FOUND,
    LEGAL,
    NOT_FOUND,
    NOT_MENTIONED,
    Resolution,
    ResolverPolicy,
    resolve_procedure,
)
from knowledge_base.search import ProcedureIndex

logger = logging.getLogger(__name__)

MAX_SEARCH_WORDS = 8
_PLACEHOLDER = re.compile(r"\[[^\]]*\]")
MAX_BUTTON_TITLE = 60
WALKTHROUGH_BUTTON = "Hướng dẫn từng bước"


def walkthrough_payload(procedure_id: str) -> str:
    """A button payload that starts the online walkthrough of one procedure."""
    return procedure_payload(Intent.START_WALKTHROUGH, procedure_id)


def button_title(number: int, name: str) -> str:
    """A short button label; the full official name is in the message text above it."""
    title = f"{number}. {name}"
    if len(title) <= MAX_BUTTON_TITLE:
        return title
    return title[: MAX_BUTTON_TITLE - 1].rsplit(" ", 1)[0] + "…"


def search_link(base_url: str, index: ProcedureIndex, text: str) -> str:
    """The portal's procedure search for the words asked.

    Personal data is masked first and the placeholders dropped; only words that could name
    a procedure are passed (no question, context or name words, nothing with a digit).
    """
    words = index.query_words(_PLACEHOLDER.sub(" ", mask_personal_data(text)))
    if not words:
        return base_url
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}keyword={quote_plus(' '.join(words[:MAX_SEARCH_WORDS]))}"


def resolve_turn(
    index: ProcedureIndex,
    intent: Optional[str],
    text: str,
    entity_values: Iterable[str] = (),
    current_id: Optional[str] = None,
    policy: ResolverPolicy = ResolverPolicy(),
) -> Resolution:
    """What the assistant decides for one turn, by NLU's intent.

    Procedure questions are resolved. A message NLU did not understand (``nlu_fallback``)
    is resolved too, without the conversation's procedure: a long real question often
    falls below the intent threshold although it names its procedure in full, and the
    whole-message evidence is what decides. Other intents answer no procedure.
    """
    if intent in PROCEDURE_INTENTS:
        return resolve_procedure(index, text, entity_values, current_id, policy)
    if intent == Intent.NLU_FALLBACK:
        return resolve_procedure(index, text, entity_values, None, policy)
    return Resolution(NOT_MENTIONED, reason=f"intent {intent}")


class ActionAnswerProcedure(ServiceAction):
    """Answers ask_* intents: resolves the procedure, then puts the asked field first."""

    def name(self) -> Text:
        return "action_answer_procedure"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        text = latest_text(tracker)
        english_note(dispatcher, self.services.settings, tracker)
        field = answer_field(text, FIELD_OF_INTENT.get(latest_intent(tracker) or ""))
        index = self.services.index()
        resolution = resolve_procedure(
            index, text, entity_values(tracker, "procedure"), tracker.get_slot(Slot.PROCEDURE_ID)
        )
        return send_resolution(self.services, dispatcher, tracker, resolution, field)


def send_resolution(
    services: Services, dispatcher: CollectingDispatcher, tracker: Tracker, resolution: Resolution, field: str
) -> List[EventType]:
    """The reply to one resolved question: the answer (``field`` first), the choices, a redirect or "not found"."""
    logger.info(
        "procedure.resolved conversation=%s field=%s status=%s procedure=%s reason=%s",
        tracker.sender_id,
        field,
        resolution.status,
        resolution.procedure_id,
        resolution.reason,
    )
    index = services.index()
    text = latest_text(tracker)
    settings = services.settings
    if resolution.status == FOUND:
        record = services.procedures.get(resolution.procedure_id)
        answer = compose_answer(record, field, services.reviews.latest(record))
        buttons = [
            {"title": title, "payload": field_payload(other, record["id"])} for other, title in answer.next_fields
        ]
        if field == Field.ONLINE and record.get("online_steps"):
            buttons.insert(0, {"title": WALKTHROUGH_BUTTON, "payload": walkthrough_payload(record["id"])})
        dispatcher.utter_message(text=answer.text, buttons=buttons + feedback_buttons(current_turn_id(tracker)))
        return idle_reminder(settings, tracker) + [
            SlotSet(Slot.GUIDE_ENTRY, None),
            SlotSet(Slot.PROCEDURE_ID, record["id"]),
            SlotSet(Slot.ANSWERED_INTENT, INTENT_OF_FIELD[field]),
            SlotSet(Slot.ANSWER_STATUS, AnswerStatus.ANSWERED),
        ]
    if resolution.status in (NOT_FOUND, NOT_MENTIONED, LEGAL, AMBIGUOUS):
        # A question about using the portals rather than a procedure ("thanh toán bị lỗi"): the guide
        # answers it when it clearly matches one entry; over the law redirect or a question between
        # procedures only on strong evidence.
        strong = resolution.status in (LEGAL, AMBIGUOUS)
        answered = answer_from_guide(services, dispatcher, tracker, STRONG_MIN_SCORE if strong else None)
        if answered is not None:
            return answered
    if resolution.status == AMBIGUOUS:
        choices = resolution.choices
        listing = "\n".join(f"{number}. {hit.name}" for number, hit in enumerate(choices, 1))
        buttons = [
            {"title": button_title(number, hit.name), "payload": field_payload(field, hit.id)}
            for number, hit in enumerate(choices, 1)
        ]
        if len(choices) == 1:
            link = search_link(settings.portal_search_url, index, text)
            utter(dispatcher, settings, "utter_ask_if_this_one", buttons, listing=listing, search_link=link)
        else:
            utter(dispatcher, settings, "utter_ask_which_of", buttons, listing=listing)
        return [SlotSet(Slot.PROCEDURE_ID, None), SlotSet(Slot.ANSWER_STATUS, AnswerStatus.AMBIGUOUS)]
    if resolution.status == LEGAL:
        utter(dispatcher, settings, "utter_legal_question")
        return [
            SlotSet(Slot.PROCEDURE_ID, None),
            SlotSet(Slot.ANSWERED_INTENT, None),
            SlotSet(Slot.ANSWER_STATUS, AnswerStatus.LEGAL_QUESTION),
        ]
    if resolution.status == NOT_FOUND:
        link = search_link(settings.portal_search_url, index, text)
        utter(dispatcher, settings, "utter_procedure_not_found", search_link=link)
        return [
            SlotSet(Slot.PROCEDURE_ID, None),
            SlotSet(Slot.ANSWERED_INTENT, None),
            SlotSet(Slot.ANSWER_STATUS, AnswerStatus.NOT_FOUND),
        ]
    # The examples' buttons ask the field the citizen asked about, so they are built here.
    examples = [("Làm hộ chiếu", "ho-chieu"), ("Đăng ký khai sinh", "khai-sinh"), ("Đăng ký tạm trú", "tam-tru")]
    buttons = [{"title": title, "payload": field_payload(field, pid)} for title, pid in examples]
    utter(dispatcher, settings, "utter_ask_which_procedure", buttons)
    return [SlotSet(Slot.ANSWER_STATUS, AnswerStatus.NO_PROCEDURE)]
