"""Satisfaction: 👍/👎 on an answer and the 1-5 rating with an optional comment."""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ServiceAction, UsesServices, channel_of
from actions.stores.ratings import MAX_SCORE, MIN_SCORE
from core.contract import Slot
from knowledge_base.privacy import mask_personal_data
from knowledge_base.text import fold

logger = logging.getLogger(__name__)

HELPFUL = {"up": True, "down": False}
SKIPPED_COMMENT = "(bỏ qua)"
_SKIP_WORDS = {"bo qua", "khong", "thoi", "khong co", "khong a", "skip", "-", "ko", "k", "khong gop y"}
_NUMBER_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5}
_DIGITS = re.compile(r"(?<![\d.,])(\d{1,3})(?![\d.,]\d)")


def parse_score(value: Any) -> Optional[int]:
    """A score from an entity or free text ("5", "5 sao", "năm điểm"); None if there is none.

    Out-of-range numbers are returned as they are so the caller can say why they are refused.
    """
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    text = str(value)
    match = _DIGITS.search(text)
    if match:
        return int(match.group(1))
    for word in fold(text).split():
        if word in _NUMBER_WORDS:
            return _NUMBER_WORDS[word]
    return None


def original_text(tracker: Tracker) -> str:
    """The citizen's own words of the latest message (before NLU normalisation)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("text") or ""
    return ""


class ValidateRatingForm(UsesServices, FormValidationAction):
    """Stores each rating as soon as it is valid; asks again when it is not."""

    def name(self) -> Text:
        return "validate_rating_form"

    def validate_rating(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        procedure_id = tracker.get_slot(Slot.PROCEDURE_ID)
        answered = tracker.get_slot("answered_intent")
        key = str(value).strip().lower() if value is not None else ""
        if key in HELPFUL:
            rating_id = self.services.ratings.add_helpful(
                tracker.sender_id, channel_of(tracker), HELPFUL[key], procedure_id, answered
            )
            if HELPFUL[key]:
                return {"rating": key, "rating_id": rating_id, "rating_comment": SKIPPED_COMMENT}
            dispatcher.utter_message(response="utter_not_helpful_sorry")
            return {"rating": key, "rating_id": rating_id}
        score = parse_score(value)
        if score is None or not MIN_SCORE <= score <= MAX_SCORE:
            dispatcher.utter_message(response="utter_rating_invalid")
            return {"rating": None}
        rating_id = self.services.ratings.add_score(
            tracker.sender_id, channel_of(tracker), score, procedure_id, answered
        )
        return {"rating": str(score), "rating_id": rating_id, "rated": True}

    def validate_rating_comment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        if value == SKIPPED_COMMENT:
            return {"rating_comment": value}
        comment = original_text(tracker).strip() or str(value or "").strip()
        if not comment or fold(comment) in _SKIP_WORDS:
            return {"rating_comment": SKIPPED_COMMENT}
        rating_id = tracker.get_slot("rating_id")
        if rating_id is not None:
            self.services.ratings.set_comment(int(rating_id), comment)  # the store masks and bounds it
        return {"rating_comment": mask_personal_data(comment)}


class ActionRatingDone(ServiceAction):
    """Thanks the citizen and clears the rating slots for the next rating."""

    def name(self) -> Text:
        return "action_rating_done"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_rating_thanks")
        return [SlotSet(Slot.RATING, None), SlotSet(Slot.RATING_COMMENT, None), SlotSet(Slot.RATING_ID, None)]


class ActionGoodbye(ServiceAction):
    """Says goodbye; after a real conversation that was not rated yet, asks for 1-5 first."""

    def name(self) -> Text:
        return "action_goodbye"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        answered = any(
            event.get("event") == "slot" and event.get("name") == "answered_intent" and event.get("value")
            for event in tracker.events
        )
        if answered and not tracker.get_slot("rated"):
            dispatcher.utter_message(response="utter_ask_rating_first")
            dispatcher.utter_message(response="utter_ask_rating")
            return []
        dispatcher.utter_message(response="utter_goodbye")
        return []
