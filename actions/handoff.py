"""A path to a person: the officers' queue, office hours and callbacks (the citizen's side).

"Gặp cán bộ" opens a request in the queue (actions/stores/handoff.py). In office hours the citizen
is told an officer will join and may keep asking meanwhile; when nobody takes the request within
``HANDOFF_WAIT_MINUTES`` (a Rasa reminder) or outside office hours (core/office_hours.py), the
assistant offers a callback. With the citizen's consent ``callback_form`` asks for a number, kept
encrypted in the callback record only (actions/stores/callbacks.py); the tracker keeps its masked
form. Taking, replying and handing back happen in the dashboard (web/dashboard/handoff.py).
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta, timezone
from typing import Any, Dict, List, Optional, Text

import phonenumbers
from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, ReminderScheduled, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ServiceAction, UsesServices, button_payload, channel_of, entity_values, latest_intent, utter
from actions.feedback import QUESTION, SKIP_WORDS, SKIPPED, hand_over, is_question, original_text
from actions.stores.handoff import COMPLAIN
from actions.survey import PUSH_CHANNELS
from core.contract import Intent, Slot
from core.office_hours import OfficeHours
from knowledge_base.privacy import phone_numbers
from knowledge_base.text import fold

logger = logging.getLogger(__name__)

WAIT_REMINDER = "handoff_wait"
SAVED = "(đã lưu)"
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def callback_buttons() -> List[Dict[str, str]]:
    """Consent to a callback, or not."""
    return [
        {"title": "Đồng ý, gọi lại cho tôi", "payload": button_payload(Intent.REQUEST_HUMAN, callback="yes")},
        {"title": "Không, cảm ơn", "payload": button_payload(Intent.REQUEST_HUMAN, callback="no")},
    ]


def describe_hours(hours: OfficeHours) -> str:
    """ "7:30–11:30, 13:30–17:00, Thứ Hai đến Thứ Sáu" for the citizen."""
    periods = ", ".join(
        f"{start:%H:%M}–{'24:00' if end == time.max else f'{end:%H:%M}'}" for start, end in hours.periods
    )
    days = sorted(hours.weekdays)
    if days and days == list(range(days[0], days[-1] + 1)) and len(days) > 1:
        named = f"{WEEKDAYS[days[0] - 1]} đến {WEEKDAYS[days[-1] - 1]}"
    else:
        named = ", ".join(WEEKDAYS[day - 1] for day in days)
    return f"{periods}, {named}, trừ ngày lễ, Tết"


def when_to_expect(hours: OfficeHours, now: datetime) -> str:
    """When an officer can call: "trong giờ làm việc hôm nay" or "từ 07:30 Thứ Hai 07/12"."""
    if hours.is_open(now):
        return "trong giờ làm việc hôm nay"
    opening = hours.next_opening(now)
    return f"từ {opening:%H:%M} {WEEKDAYS[opening.weekday()]} {opening:%d/%m/%Y}"


def find_phone(text: str) -> Optional[str]:
    """The first valid phone number in ``text`` (as the masker finds them): a Vietnamese one as its
    national digits, another in international form."""
    for typed in phone_numbers(text):
        try:
            number = phonenumbers.parse(typed, "VN")
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        if number.country_code == 84:
            return "0" + str(number.national_number)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


class ActionHandoff(ServiceAction):
    """A request for a person (queued; callback offered out of hours), a callback answer, or a complaint."""

    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        settings, queue = self.services.settings, self.services.handoffs
        sender, channel = tracker.sender_id, channel_of(tracker)
        if latest_intent(tracker) == COMPLAIN:
            queue.record(sender, channel, COMPLAIN, tracker.get_slot(Slot.PROCEDURE_ID))
            utter(dispatcher, settings, "utter_handoff_complain")
            return []
        if "wait" in entity_values(tracker, "trigger"):
            return self.nobody_took_it(dispatcher, tracker)
        consent = entity_values(tracker, "callback")
        if "yes" in consent:
            return [FollowupAction("callback_form")]  # the number's request is opened when it is given
        if "no" in consent:
            utter(dispatcher, settings, "utter_callback_declined")
            return []
        ticket = queue.open_request(sender, channel, tracker.get_slot(Slot.PROCEDURE_ID))
        now = datetime.now(timezone.utc)
        hours = self.services.office_hours
        if not hours.is_open(now):
            queue.offer_callback(ticket.id)
            utter(
                dispatcher,
                settings,
                "utter_handoff_closed",
                callback_buttons(),
                hours=describe_hours(hours),
                when=when_to_expect(hours, now),
            )
            return []
        utter(dispatcher, settings, "utter_handoff_queued", minutes=settings.handoff_wait_minutes)
        logger.info("handoff.queued id=%s conversation=%s channel=%s", ticket.id, sender, channel)
        if channel not in PUSH_CHANNELS:
            return []  # a REST client could not receive the callback offer between its requests
        return [
            ReminderScheduled(
                Intent.REQUEST_HUMAN,
                trigger_date_time=now + timedelta(minutes=settings.handoff_wait_minutes),
                entities=[{"entity": "trigger", "value": "wait"}],
                name=WAIT_REMINDER,
                kill_on_user_message=False,
            )
        ]

    def nobody_took_it(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """The wait is over: offer a callback if the request is still waiting, else say nothing."""
        ticket = self.services.handoffs.open_for(tracker.sender_id)
        # offer_callback changes only a waiting request not offered one yet.
        if ticket is None or not self.services.handoffs.offer_callback(ticket.id):
            return []
        hours = self.services.office_hours
        utter(
            dispatcher,
            self.services.settings,
            "utter_handoff_busy",
            callback_buttons(),
            when=when_to_expect(hours, datetime.now(timezone.utc)),
        )
        logger.info("handoff.wait_expired id=%s conversation=%s", ticket.id, tracker.sender_id)
        return []


class ValidateCallbackForm(UsesServices, FormValidationAction):
    """The number for a callback: stored encrypted at once; "Bỏ qua", or another question, ends the prompt."""

    def name(self) -> Text:
        return "validate_callback_form"

    def validate_callback_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != Slot.CALLBACK_PHONE:
            return {Slot.CALLBACK_PHONE: tracker.get_slot(Slot.CALLBACK_PHONE)}
        text = original_text(tracker).strip() or str(value or "").strip()
        if not text or fold(text) in SKIP_WORDS or "no" in entity_values(tracker, "callback"):
            return {Slot.CALLBACK_PHONE: SKIPPED}
        phone = find_phone(text)
        if phone is None:
            if is_question(self.services, tracker):
                return {Slot.CALLBACK_PHONE: QUESTION, "requested_slot": None}
            utter(dispatcher, self.services.settings, "utter_callback_phone_invalid")
            return {Slot.CALLBACK_PHONE: None}
        services = self.services
        ticket = services.handoffs.open_request(
            tracker.sender_id, channel_of(tracker), tracker.get_slot(Slot.PROCEDURE_ID)
        )
        services.callbacks.save(ticket.id, phone, services.office_hours.next_opening(datetime.now(timezone.utc)))
        return {Slot.CALLBACK_PHONE: SAVED}


class ActionCallbackDone(ServiceAction):
    """After the number prompt: when to expect the call, "OK", or the interrupting question answered."""

    def name(self) -> Text:
        return "action_callback_done"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        value = tracker.get_slot(Slot.CALLBACK_PHONE)
        reset: List[EventType] = [SlotSet(Slot.CALLBACK_PHONE, None)]
        if value == QUESTION:
            return reset + await hand_over(self.services, dispatcher, tracker, domain)
        if value != SAVED:
            utter(dispatcher, self.services.settings, "utter_callback_declined")
            return reset
        utter(
            dispatcher,
            self.services.settings,
            "utter_callback_saved",
            when=when_to_expect(self.services.office_hours, datetime.now(timezone.utc)),
        )
        return reset
