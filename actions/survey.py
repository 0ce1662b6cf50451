"""The citizen's evaluation of an online public service itself, asked when a conversation about it ends.

A conversation ends with a goodbye, when the widget is closed, or when the citizen has been quiet
for ``SURVEY_IDLE_SECONDS`` (a Rasa reminder, on the channels that can send unprompted). If it was
about a procedure and has no survey yet, the assistant offers five short questions (overall and
four criteria, 1-5, each skippable); each answer is stored at once. A message that asks something
instead ends the survey and is answered.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, ReminderScheduled, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ServiceAction, UsesServices, channel_of, entity_values, latest_intent, latest_text, utter
from actions.feedback import QUESTION, SKIP_WORDS, hand_over, is_question, original_text
from actions.services import Services
from actions.stores.surveys import MAX_SCORE, MIN_SCORE
from core.contract import SURVEY_CRITERIA, Intent, Slot
from core.settings import Settings
from knowledge_base.text import fold

logger = logging.getLogger(__name__)

SKIP = "skip"
# The trigger of an invitation sent when the citizen's dossier was completed (they opted in).
COMPLETED = "completed"
SURVEY_SLOTS = {criterion: f"survey_{criterion}" for criterion in SURVEY_CRITERIA}
IDLE_REMINDER = "survey_idle"
# The channels that can send a message the citizen did not ask for (REST only answers requests).
PUSH_CHANNELS = ("socketio", "telegram", "zalo")
_NUMBER_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5}
_DIGITS = re.compile(r"(?<![\d.,])(\d{1,3})(?![\d.,]\d)")
# The words of a request to rate, folded ("đánh giá", "chấm điểm", "góp ý", "5 sao"). A typed
# message NLU files as rate_service without any of them is a question it misread.
_RATING_CUE = re.compile(r"\b(danh gia|cham|diem|gop y|hai long|khao sat|rate|review)\b|\d\s*sao\b")


def parse_score(text: str) -> Optional[int]:
    """A score typed as an answer ("4", "4 sao", "năm điểm"); None when the text is not one."""
    words = fold(text).split()
    if not words or len(words) > 3:
        return None
    match = _DIGITS.search(text)
    if match:
        return int(match.group(1))
    return next((_NUMBER_WORDS[word] for word in words if word in _NUMBER_WORDS), None)


def session_key(tracker: Tracker) -> str:
    """The conversation (Rasa session) a survey belongs to: when the latest session started."""
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return f"{float(event.get('timestamp') or 0):.6f}"
    return "0"


def procedure_discussed(tracker: Tracker) -> Optional[str]:
    """The procedure the current session last answered about, if any."""
    found = None
    for event in tracker.events:
        if event.get("event") == "session_started":
            found = None
        elif event.get("event") == "slot" and event.get("name") == Slot.PROCEDURE_ID and event.get("value"):
            found = event["value"]
    return found


def idle_reminder(settings: Settings, tracker: Tracker) -> List[EventType]:
    """A reminder that ends the conversation after the idle time, on channels that can push."""
    if settings.survey_idle_seconds <= 0 or channel_of(tracker) not in PUSH_CHANNELS:
        return []
    when = datetime.now(timezone.utc) + timedelta(seconds=settings.survey_idle_seconds)
    return [
        ReminderScheduled(
            Intent.END_CONVERSATION,
            trigger_date_time=when,
            entities=[{"entity": "trigger", "value": "idle"}],
            name=IDLE_REMINDER,
            kill_on_user_message=True,
        )
    ]


def _trigger(tracker: Tracker) -> str:
    intent = latest_intent(tracker)
    if intent == Intent.GOODBYE:
        return "goodbye"
    if intent == Intent.RATE_SERVICE:
        return "asked"
    given = entity_values(tracker, "trigger")
    return given[0] if given and given[0] in ("closed", "idle", COMPLETED) else "closed"


def _no_rating_words(tracker: Tracker) -> bool:
    """No score and none of the words of a request to rate."""
    return not entity_values(tracker, "rating") and not _RATING_CUE.search(fold(latest_text(tracker)))


def _answer_instead(
    services: Services, dispatcher: CollectingDispatcher, tracker: Tracker
) -> Optional[List[EventType]]:
    """A question NLU misread as a request to rate ("Những ai sẽ phải làm, đổi thẻ căn cước từ
    ngày 01/7/2024?"), answered as action_other_question answers it; None otherwise."""
    # imported here: service_help imports procedures, which imports this module
    from actions.service_help import answer_if_named

    answered = answer_if_named(services, dispatcher, tracker)
    if answered is not None:
        logger.info("survey.misread_question conversation=%s", tracker.sender_id)
    return answered


class ActionOfferSurvey(ServiceAction):
    """The end of a conversation (goodbye, widget closed, idle) or "đánh giá dịch vụ": offer the survey.

    Offered once per conversation and only after one about a procedure; otherwise a goodbye says
    goodbye, a request to rate says when it can be done, and a closed or idle widget hears nothing.
    A question misread as a request to rate is answered instead (see :func:`_answer_instead`).
    """

    def name(self) -> Text:
        return "action_offer_survey"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        settings = self.services.settings
        trigger = _trigger(tracker)
        if trigger == "asked" and _no_rating_words(tracker):
            answered = _answer_instead(self.services, dispatcher, tracker)
            if answered is not None:
                return answered
        if trigger == COMPLETED:
            return self._invite_after_completion(dispatcher, tracker)
        procedure_id = procedure_discussed(tracker)
        record = self.services.procedures.get(procedure_id) if procedure_id else None
        started = None
        if record is not None:
            started = self.services.surveys.start(
                tracker.sender_id, session_key(tracker), channel_of(tracker), procedure_id, trigger
            )
        if started is None:
            if trigger == "goodbye":
                utter(dispatcher, settings, "utter_goodbye")
            elif trigger == "asked":
                utter(dispatcher, settings, "utter_survey_already_done" if record else "utter_survey_not_now")
            return []
        utter(dispatcher, settings, "utter_survey_intro", procedure_name=record["name"])
        return _open_survey(record)

    def _invite_after_completion(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """Sent by ``python -m tools invite-completed``: the dossier is done, its service may be evaluated."""
        codes = entity_values(tracker, "application_code")
        status = self.services.applications.status(codes[0]) if codes else None
        if status is None or not status.completed:
            logger.warning("survey.invitation_without_completion conversation=%s", tracker.sender_id)
            return []
        record = self.services.procedures.get(status.procedure_id) if status.procedure_id else None
        name = f" ({record['name']})" if record else ""
        started = None
        if record is not None:
            started = self.services.surveys.start(
                tracker.sender_id, session_key(tracker), channel_of(tracker), record["id"], COMPLETED
            )
        utter(dispatcher, self.services.settings, "utter_completion_notice", code=status.code, procedure=name)
        if started is None:
            return []
        utter(dispatcher, self.services.settings, "utter_survey_intro_completed")
        return _open_survey(record)


def _open_survey(record: Dict[str, Any]) -> List[EventType]:
    """The events that start the survey form about ``record``, its answers cleared."""
    reset: List[EventType] = [SlotSet(slot, None) for slot in SURVEY_SLOTS.values()]
    return reset + [SlotSet(Slot.SURVEY_PROCEDURE, record["name"]), FollowupAction("service_survey_form")]


class ValidateServiceSurveyForm(UsesServices, FormValidationAction):
    """Stores each survey answer as it comes; a question instead of an answer ends the survey."""

    def name(self) -> Text:
        return "validate_service_survey_form"

    def _answer(self, criterion: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        slot = SURVEY_SLOTS[criterion]
        if tracker.get_slot("requested_slot") != slot:
            # Not this question's answer: the reset when the survey opens, validated as "recently set".
            return {slot: tracker.get_slot(slot)}
        given = entity_values(tracker, "rating")
        text = original_text(tracker).strip()
        value = given[0].strip().lower() if given and latest_intent(tracker) == Intent.RATE_SERVICE else None
        if value is None:
            if fold(text) in SKIP_WORDS:
                value = SKIP
            elif parse_score(text) is not None:
                value = str(parse_score(text))
            elif is_question(self.services, tracker):
                return {slot: QUESTION, "requested_slot": None}
        if value == SKIP:
            return {slot: SKIP}
        if value is None or not value.isdigit() or not MIN_SCORE <= int(value) <= MAX_SCORE:
            utter(dispatcher, self.services.settings, "utter_survey_invalid")
            return {slot: None}
        named = entity_values(tracker, "criterion")
        if named and named[0] != criterion:  # an earlier question's button: store it there, ask this one again
            if named[0] in SURVEY_CRITERIA:
                self.services.surveys.answer(tracker.sender_id, session_key(tracker), named[0], int(value))
            return {slot: None}
        self.services.surveys.answer(tracker.sender_id, session_key(tracker), criterion, int(value))
        return {slot: value}


def _validator(criterion: str):
    """The ``validate_<slot>`` method rasa_sdk looks up for one criterion's slot."""

    def validate(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> Dict:
        return self._answer(criterion, dispatcher, tracker)

    validate.__name__ = f"validate_{SURVEY_SLOTS[criterion]}"
    return validate


# One validator per criterion (validate_survey_overall, ...), all asking _answer.
for _criterion in SURVEY_CRITERIA:
    setattr(ValidateServiceSurveyForm, f"validate_{SURVEY_SLOTS[_criterion]}", _validator(_criterion))


class ActionSurveyDone(ServiceAction):
    """After the survey: thanks (and goodbye when a goodbye started it), or the interrupting question answered."""

    def name(self) -> Text:
        return "action_survey_done"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        values = [tracker.get_slot(slot) for slot in SURVEY_SLOTS.values()]
        reset: List[EventType] = [SlotSet(slot, None) for slot in SURVEY_SLOTS.values()]
        reset.append(SlotSet(Slot.SURVEY_PROCEDURE, None))
        if QUESTION in values:
            return reset + await hand_over(self.services, dispatcher, tracker, domain)
        settings = self.services.settings
        utter(dispatcher, settings, "utter_survey_thanks")
        survey = self.services.surveys.find(tracker.sender_id, session_key(tracker))
        if survey is not None and survey.trigger == "goodbye":
            utter(dispatcher, settings, "utter_goodbye")
        return reset
