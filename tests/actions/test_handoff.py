"""The citizen's side of the hand-off: queued in office hours, a callback offered out of hours or when
nobody takes the request, the number kept encrypted, and nothing of it in the tracker's slot."""

from __future__ import annotations

from datetime import datetime

import pytest

from actions.handoff import (
    SAVED,
    ActionCallbackDone,
    ActionHandoff,
    ValidateCallbackForm,
    describe_hours,
    find_phone,
)
from actions.stores.handoff import CLOSED, NEW, HandoffQueue
from core.office_hours import OfficeHours, parse_periods, parse_weekdays
from core.settings import VIETNAM_TIME
from tests.actions.conftest import make_tracker, run_action, slot_events

ALWAYS = OfficeHours(parse_periods("00:00-24:00"), parse_weekdays("1,2,3,4,5,6,7"))


def closed_today() -> OfficeHours:
    """Open every day but today (Vietnam time): out of hours now, open again tomorrow."""
    today = datetime.now(VIETNAM_TIME).isoweekday()
    return OfficeHours(parse_periods("07:30-11:30,13:30-17:00"), frozenset(set(range(1, 8)) - {today}))


@pytest.fixture
def open_office(services):
    services.office_hours = ALWAYS
    return services


@pytest.fixture
def closed_office(services):
    services.office_hours = closed_today()
    return services


def test_in_office_hours_the_request_is_queued_and_a_wait_reminder_set(open_office):
    messages, events = run_action(
        ActionHandoff(open_office), make_tracker("cho tôi gặp cán bộ", "request_human", channel="telegram")
    )
    assert "chuyển yêu cầu của bạn tới cán bộ trực" in messages[0]["text"] and "10 phút" in messages[0]["text"]
    reminder = [e for e in events if e["event"] == "reminder"]
    assert reminder and reminder[0]["intent"] == "request_human" and reminder[0]["kill_on_user_msg"] is False
    ticket = HandoffQueue(open_office.sessions).open_for("citizen-1")
    assert ticket.status == NEW and ticket.channel == "telegram"
    rest, rest_events = run_action(
        ActionHandoff(open_office), make_tracker("gặp cán bộ", "request_human", sender_id="r")
    )
    assert "cán bộ trực" in rest[0]["text"] and rest_events == []  # REST cannot receive the later offer
    # Asking again does not queue the citizen twice.
    run_action(ActionHandoff(open_office), make_tracker("gặp cán bộ", "request_human", channel="telegram"))
    assert len(HandoffQueue(open_office.sessions).queue()) == 2


def test_out_of_hours_a_callback_is_offered_with_the_hours_and_when(closed_office):
    messages, events = run_action(ActionHandoff(closed_office), make_tracker("gặp cán bộ", "request_human"))
    text = messages[0]["text"]
    assert text.startswith("Hiện ngoài giờ làm việc") and "từ 07:30" in text and "trừ ngày lễ, Tết" in text
    assert [b["title"] for b in messages[0]["buttons"]] == ["Đồng ý, gọi lại cho tôi", "Không, cảm ơn"]
    assert '"callback":"yes"' in messages[0]["buttons"][0]["payload"]
    assert not [e for e in events if e["event"] == "reminder"]
    assert HandoffQueue(closed_office.sessions).open_for("citizen-1").callback_offered_at is not None


def test_when_nobody_took_it_the_callback_is_offered_once_and_not_after_an_officer_joined(open_office):
    run_action(ActionHandoff(open_office), make_tracker("gặp cán bộ", "request_human"))
    wait = make_tracker("", "request_human", [{"entity": "trigger", "value": "wait"}])
    messages, _ = run_action(ActionHandoff(open_office), wait)
    assert messages[0]["text"].startswith("Xin lỗi, các cán bộ đều đang bận") and len(messages[0]["buttons"]) == 2
    assert run_action(ActionHandoff(open_office), wait)[0] == []
    queue = HandoffQueue(open_office.sessions)
    other = queue.open_request("citizen-2", "rest")
    queue.take(other.id, "canbo1")
    taken = make_tracker("", "request_human", [{"entity": "trigger", "value": "wait"}], sender_id="citizen-2")
    assert run_action(ActionHandoff(open_office), taken)[0] == []


def test_consent_opens_the_number_prompt_and_no_declines_politely(closed_office):
    _, events = run_action(
        ActionHandoff(closed_office),
        make_tracker("/request_human", "request_human", [{"entity": "callback", "value": "yes"}]),
    )
    assert {"event": "followup", "name": "callback_form"} in [
        {"event": e["event"], "name": e.get("name")} for e in events
    ]
    messages, _ = run_action(
        ActionHandoff(closed_office),
        make_tracker("/request_human", "request_human", [{"entity": "callback", "value": "no"}]),
    )
    assert (
        messages[0]["text"].startswith("Vâng. Yêu cầu của bạn vẫn được ghi nhận") and "18001096" in messages[0]["text"]
    )


@pytest.mark.parametrize(
    "typed, phone",
    [
        ("0912345678", "0912345678"),
        ("số của tôi là 0912 345 678 ạ", "0912345678"),
        ("+84 912.345.678", "0912345678"),
        ("84912345678", "0912345678"),
        ("(024) 3824 5678", "02438245678"),
        # Two numbers in a row: the first, where phonenumbers' own matcher found none.
        ("0912 345 678 0987 654 321", "0912345678"),
    ],
)
def test_a_number_in_any_usual_form_is_found(typed, phone):
    assert find_phone(typed) == phone


@pytest.mark.parametrize(
    "typed", ["không nhớ số", "123", "mã hồ sơ G22.39-250101-0001", "tổng đài 1800 1096", "01681234567"]
)
def test_no_number_is_found_where_there_is_none(typed):
    assert find_phone(typed) is None


def prompt_tracker(text: str, intent: str = "nlu_fallback", sender_id: str = "citizen-1"):
    tracker = make_tracker(text, intent, slots={"requested_slot": "callback_phone"}, sender_id=sender_id)
    tracker.active_loop = {"name": "callback_form"}
    return tracker


def test_the_number_is_stored_encrypted_and_the_slot_holds_no_number(closed_office):
    result = ValidateCallbackForm(closed_office).validate_callback_phone(
        "số tôi 0912 345 678", None, prompt_tracker("số tôi 0912 345 678"), {}
    )
    assert result == {"callback_phone": SAVED}
    ticket = HandoffQueue(closed_office.sessions).open_for("citizen-1")
    assert closed_office.callbacks.number(ticket.id) == "0912345678"
    messages, events = run_action(
        ActionCallbackDone(closed_office), make_tracker("", "nlu_fallback", slots={"callback_phone": SAVED})
    )
    assert messages[0]["text"].startswith("Cảm ơn bạn. Cán bộ sẽ gọi lại số bạn vừa gửi từ 07:30")
    assert slot_events(events) == {"callback_phone": None}


def test_a_message_without_a_number_is_asked_again_and_skip_ends_the_prompt(closed_office):
    validate = ValidateCallbackForm(closed_office)
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    assert validate.validate_callback_phone("không nhớ", dispatcher, prompt_tracker("không nhớ"), {}) == {
        "callback_phone": None
    }
    assert dispatcher.messages[0]["response"] == "utter_callback_phone_invalid"
    assert validate.validate_callback_phone("bỏ qua", dispatcher, prompt_tracker("bỏ qua"), {}) == {
        "callback_phone": "(bỏ qua)"
    }
    messages, _ = run_action(
        ActionCallbackDone(closed_office), make_tracker("bỏ qua", "nlu_fallback", slots={"callback_phone": "(bỏ qua)"})
    )
    assert messages[0]["text"].startswith("Vâng. Yêu cầu của bạn vẫn được ghi nhận")


def test_a_complaint_is_recorded_closed_with_the_official_channel(open_office):
    messages, _ = run_action(ActionHandoff(open_office), make_tracker("tôi muốn khiếu nại", "complain", channel="zalo"))
    assert "Phản ánh, kiến nghị" in messages[0]["text"]
    rows = HandoffQueue(open_office.sessions).for_conversation("citizen-1")
    assert [(r.kind, r.status) for r in rows] == [("complain", CLOSED)]


def test_hours_are_described_for_citizens():
    week = OfficeHours(parse_periods("07:30-11:30,13:30-17:00"), parse_weekdays("1,2,3,4,5"))
    assert describe_hours(week) == "07:30–11:30, 13:30–17:00, Thứ Hai đến Thứ Sáu, trừ ngày lễ, Tết"
    assert describe_hours(ALWAYS).startswith("00:00–24:00, Thứ Hai đến Chủ nhật")
