"""The step-by-step online walkthrough of one procedure.

``start_walkthrough`` picks the procedure; ``walkthrough_form`` asks for the prerequisites its
``online_steps`` need (VNeID level 2, scans, a way to pay) and says how to get a missing one;
then one step at a time, with "Tiếp theo" and "Tôi gặp lỗi ở bước này". A failed step leads to
the guide entry the step names, or to the hotline.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.base import ServiceAction, UsesServices, entity_values, latest_intent, latest_text, utter
from actions.guide import say_guide_entry
from core.contract import Intent, Slot
from knowledge_base.resolver import FOUND, resolve_procedure

logger = logging.getLogger(__name__)

FORM = "walkthrough_form"

# Each prerequisite a procedure's online_steps may need: its slot, what to say when the citizen
# lacks it, and the guide entry that explains how to get it.
NEED_SLOTS = {
    "vneid_level2": (Slot.HAS_VNEID_LEVEL2, "utter_walkthrough_need_vneid", "vneid-dang-ky-muc-2"),
    "scans": (Slot.HAS_SCANS, "utter_walkthrough_need_scans", "tai-len-ban-chup-giay-to"),
    "payment": (Slot.HAS_PAYMENT, "utter_walkthrough_need_payment", "thanh-toan-phi-le-phi-truc-tuyen"),
}


def _walkthrough_record(services, tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The record being walked through, when it has online steps."""
    procedure_id = tracker.get_slot(Slot.WALKTHROUGH_PROCEDURE)
    record = services.procedures.get(procedure_id) if procedure_id else None
    return record if record and record.get("online_steps") else None


def _current_step(tracker: Tracker) -> int:
    """The step shown last (0 before the first)."""
    try:
        return int(tracker.get_slot(Slot.WALKTHROUGH_STEP) or 0)
    except (TypeError, ValueError):
        return 0


def _asking_prerequisites(tracker: Tracker) -> bool:
    """The form is still asking Có / Chưa có: "Tiếp theo" typed now must not skip it."""
    return (tracker.active_loop or {}).get("name") == FORM


class ActionStartWalkthrough(ServiceAction):
    """Chooses the procedure to walk through: the one named, or the one under discussion."""

    def name(self) -> Text:
        return "action_start_walkthrough"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        resolution = resolve_procedure(
            self.services.index(),
            latest_text(tracker),
            entity_values(tracker, "procedure"),
            tracker.get_slot(Slot.PROCEDURE_ID),
        )
        settings = self.services.settings
        stop = [SlotSet(Slot.WALKTHROUGH_PROCEDURE, None), SlotSet(Slot.WALKTHROUGH_STEP, None)]
        if resolution.status != FOUND:
            utter(dispatcher, settings, "utter_walkthrough_which_procedure")
            return stop
        record = self.services.procedures.get(resolution.procedure_id)
        logger.info(
            "walkthrough.start conversation=%s procedure=%s steps=%s",
            tracker.sender_id,
            record["id"],
            bool(record.get("online_steps")),
        )
        if not record.get("online_steps"):
            url = record.get("online_url") or record["source_url"]
            utter(dispatcher, settings, "utter_walkthrough_unavailable", procedure=record["name"], url=url)
            return stop + [SlotSet(Slot.PROCEDURE_ID, record["id"])]
        online = record["online_steps"]
        utter(
            dispatcher,
            settings,
            "utter_walkthrough_start",
            procedure=record["name"],
            count=len(online["steps"]),
            portal=online["portal"],
        )
        # Each walkthrough asks its prerequisites afresh: an earlier "Chưa có" may have changed.
        return [
            SlotSet(Slot.PROCEDURE_ID, record["id"]),
            SlotSet(Slot.WALKTHROUGH_PROCEDURE, record["id"]),
            SlotSet(Slot.WALKTHROUGH_STEP, 0),
            *(SlotSet(slot, None) for slot, _, _ in NEED_SLOTS.values()),
        ]


class ValidateWalkthroughForm(UsesServices, FormValidationAction):
    """Asks only the prerequisites the procedure needs, and says how to get one the citizen lacks."""

    def name(self) -> Text:
        return "validate_walkthrough_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        record = _walkthrough_record(self.services, tracker)
        if record is None:
            return []
        needs = record["online_steps"].get("needs", [])
        return [NEED_SLOTS[need][0] for need in NEED_SLOTS if need in needs]

    def _explain_if_missing(self, need: str, value: Any, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
        slot, response, entry_id = NEED_SLOTS[need]
        if value is False:
            utter(dispatcher, self.services.settings, response)
            entry = self.services.guide.get(entry_id) if entry_id else None
            if entry is not None:
                say_guide_entry(self.services, dispatcher, entry, buttons=[])
        return {slot: value}

    async def validate_has_vneid_level2(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._explain_if_missing("vneid_level2", value, dispatcher)

    async def validate_has_scans(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._explain_if_missing("scans", value, dispatcher)

    async def validate_has_payment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._explain_if_missing("payment", value, dispatcher)


class ActionWalkthroughStep(ServiceAction):
    """The next step ("Tiếp theo", or the first one when the prerequisites are checked)."""

    def name(self) -> Text:
        return "action_walkthrough_step"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        record = _walkthrough_record(self.services, tracker)
        settings = self.services.settings
        if _asking_prerequisites(tracker):
            utter(dispatcher, settings, "utter_walkthrough_answer_first")
            return []
        if record is None:
            # After start_walkthrough the reason was already given; a stray "Tiếp theo" gets one.
            if latest_intent(tracker) != Intent.START_WALKTHROUGH:
                utter(dispatcher, settings, "utter_walkthrough_not_started")
                utter(dispatcher, settings, "utter_walkthrough_which_procedure")
            return []
        steps = record["online_steps"]["steps"]
        number = _current_step(tracker) + 1
        logger.info("walkthrough.step conversation=%s procedure=%s step=%d", tracker.sender_id, record["id"], number)
        if number > len(steps):
            utter(dispatcher, settings, "utter_walkthrough_done", procedure=record["name"], source=record["source_url"])
            return [SlotSet(Slot.WALKTHROUGH_PROCEDURE, None), SlotSet(Slot.WALKTHROUGH_STEP, None)]
        utter(
            dispatcher,
            settings,
            "utter_walkthrough_step",
            number=number,
            count=len(steps),
            step=steps[number - 1]["text"],
        )
        return [SlotSet(Slot.WALKTHROUGH_STEP, number)]


class ActionWalkthroughHelp(ServiceAction):
    """ "Tôi gặp lỗi ở bước này": the guide entry for that step, or the hotline."""

    def name(self) -> Text:
        return "action_walkthrough_help"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        record = _walkthrough_record(self.services, tracker)
        number = _current_step(tracker)
        settings = self.services.settings
        if _asking_prerequisites(tracker):
            utter(dispatcher, settings, "utter_walkthrough_answer_first")
            return []
        if record is None or not 1 <= number <= len(record["online_steps"]["steps"]):
            utter(dispatcher, settings, "utter_walkthrough_not_started")
            utter(dispatcher, settings, "utter_walkthrough_which_procedure")
            return []
        step = record["online_steps"]["steps"][number - 1]
        entry = self.services.guide.get(step.get("help", ""))
        logger.info(
            "walkthrough.stuck conversation=%s procedure=%s step=%d help=%s",
            tracker.sender_id,
            record["id"],
            number,
            entry.id if entry else None,
        )
        if entry is None:
            utter(dispatcher, settings, "utter_walkthrough_help_hotline", number=number, step=step["text"])
            return []
        utter(dispatcher, settings, "utter_walkthrough_help_intro", number=number, step=step["text"])
        say_guide_entry(
            self.services,
            dispatcher,
            entry,
            buttons=[
                {"title": "Đã xong bước này – Tiếp theo", "payload": "/walkthrough_next"},
                {"title": "Gặp cán bộ", "payload": "/request_human"},
            ],
        )
        return [SlotSet(Slot.GUIDE_ENTRY, entry.id)]
