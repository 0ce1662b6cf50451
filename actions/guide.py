"""Answering questions about using online public services from the guide (knowledge_base/guides/)."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import (
    ServiceAction,
    current_turn_id,
    english_note,
    entity_values,
    feedback_buttons,
    latest_text,
    utter,
)
from actions.services import Services
from core.contract import AnswerStatus, Slot
from knowledge_base.guide import GuideEntry, compose_guide_answer
from knowledge_base.text import is_button_payload

logger = logging.getLogger(__name__)


def guide_payload(entry_id: str) -> str:
    """A button payload that opens one guide entry."""
    return f'/ask_guide{{"guide": "{entry_id}"}}'


def say_guide_entry(
    services: Services,
    dispatcher: CollectingDispatcher,
    entry: GuideEntry,
    buttons: Optional[List[Dict[str, str]]] = None,
    turn_id: Optional[str] = None,
) -> None:
    """Sends one entry; ``buttons`` default to the entry's related entries. An entry that answers
    the citizen's question (``turn_id``) carries the 👍/👎 buttons first."""
    if buttons is None:
        buttons = [
            {"title": other.title, "payload": guide_payload(other.id)} for other in services.guide.related(entry)
        ]
    dispatcher.utter_message(text=compose_guide_answer(entry), buttons=buttons + feedback_buttons(turn_id))


# Where another reply competes, the guide answers only on much stronger evidence: a question the
# resolver took for one about the law ("nộp phạt", "xử lý thế nào"), or one naming procedures it
# would ask between ("mở khóa căn cước điện tử" names căn cước procedures too).
STRONG_MIN_SCORE = 0.55


def answer_from_guide(
    services: Services, dispatcher: CollectingDispatcher, tracker: Tracker, min_score: Optional[float] = None
) -> Optional[List[EventType]]:
    """The guide's answer to the latest message when it clearly asks about one entry, else None
    (the caller then says what it would have said)."""
    text = latest_text(tracker)
    if is_button_payload(text):
        return None
    match = services.guide.match(text, min_score)
    logger.info(
        "guide.match conversation=%s entry=%s score=%.2f reason=%s",
        tracker.sender_id,
        match.entry.id if match.entry else None,
        match.score,
        match.reason,
    )
    if match.entry is None:
        return None
    say_guide_entry(services, dispatcher, match.entry, turn_id=current_turn_id(tracker))
    return guide_answered(match.entry)


def guide_answered(entry: GuideEntry) -> List[EventType]:
    """The slots of a turn answered from the guide: the entry, and no procedure field answered."""
    return [
        SlotSet(Slot.GUIDE_ENTRY, entry.id),
        SlotSet(Slot.ANSWERED_INTENT, None),
        SlotSet(Slot.ANSWER_STATUS, AnswerStatus.GUIDE),
    ]


class ActionAnswerGuide(ServiceAction):
    """ask_guide: the entry a button names, the entry the question is about, or the guide's menu."""

    def name(self) -> Text:
        return "action_answer_guide"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        english_note(dispatcher, self.services.settings, tracker)
        named = next(filter(None, map(self.services.guide.get, entity_values(tracker, "guide"))), None)
        if named is not None:
            say_guide_entry(self.services, dispatcher, named, turn_id=current_turn_id(tracker))
            return guide_answered(named)
        answered = answer_from_guide(self.services, dispatcher, tracker)
        if answered is not None:
            return answered
        utter(dispatcher, self.services.settings, "utter_guide_menu")
        return [SlotSet(Slot.GUIDE_ENTRY, None)]
