"""The step-by-step online walkthrough: prerequisites first, then one step at a time, help on failure."""

import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.procedures import ActionAnswerProcedure
from actions.walkthrough import (
    ActionStartWalkthrough,
    ActionWalkthroughHelp,
    ActionWalkthroughStep,
    ValidateWalkthroughForm,
)
from tests.actions.conftest import make_tracker, rendered, run_action, slot_events


def _walking(services, procedure_id, step):
    return {"walkthrough_procedure": procedure_id, "walkthrough_step": step, "procedure_id": procedure_id}


def test_the_online_answer_offers_the_walkthrough_when_the_record_has_steps(services):
    tracker = make_tracker(
        "làm hộ chiếu online được không", "ask_online", [{"entity": "procedure", "value": "hộ chiếu"}]
    )
    messages, _ = run_action(ActionAnswerProcedure(services), tracker)
    assert messages[0]["buttons"][0] == {
        "title": "Hướng dẫn từng bước",
        "payload": '/start_walkthrough{"procedure": "ho-chieu"}',
    }
    tracker = make_tracker(
        "cấp đổi sổ đỏ online được không", "ask_online", [{"entity": "procedure", "value": "cap-doi-so-do"}]
    )
    messages, _ = run_action(ActionAnswerProcedure(services), tracker)
    assert "Hướng dẫn từng bước" not in [b["title"] for b in messages[0]["buttons"]]


def test_starting_names_the_procedure_the_number_of_steps_and_the_portal(services):
    tracker = make_tracker(
        '/start_walkthrough{"procedure": "ho-chieu"}',
        "start_walkthrough",
        [{"entity": "procedure", "value": "ho-chieu"}],
    )
    messages, events = run_action(ActionStartWalkthrough(services), tracker)
    record = services.procedures.get("ho-chieu")
    count = len(record["online_steps"]["steps"])
    assert messages[0]["text"] == (
        f"Hướng dẫn nộp trực tuyến – {record['name']}: {count} bước, nộp tại {record['online_steps']['portal']}"
    )
    assert slot_events(events) == {
        "procedure_id": "ho-chieu",
        "walkthrough_procedure": "ho-chieu",
        "walkthrough_step": 0,
        "has_vneid_level2": None,  # asked afresh each time
        "has_scans": None,
        "has_payment": None,
    }


def test_starting_without_a_procedure_asks_which_and_without_steps_links_the_portal(services):
    messages, events = run_action(
        ActionStartWalkthrough(services), make_tracker("hướng dẫn tôi nộp trực tuyến", "start_walkthrough")
    )
    assert messages[0]["response"] == "utter_walkthrough_which_procedure"
    assert slot_events(events) == {"walkthrough_procedure": None, "walkthrough_step": None}
    tracker = make_tracker(
        '/start_walkthrough{"procedure": "cap-doi-so-do"}',
        "start_walkthrough",
        [{"entity": "procedure", "value": "cap-doi-so-do"}],
    )
    messages, _ = run_action(ActionStartWalkthrough(services), tracker)
    assert messages[0]["text"].startswith("Tôi chưa có hướng dẫn từng bước cho thủ tục Cấp đổi Giấy chứng nhận")


def test_the_form_asks_only_what_the_procedure_needs(services):
    form = ValidateWalkthroughForm(services)

    def required(procedure_id):
        tracker = make_tracker("/affirm", "affirm", slots=_walking(services, procedure_id, 0))
        return asyncio.run(form.required_slots([], CollectingDispatcher(), tracker, {}))

    assert required("ho-chieu") == ["has_vneid_level2", "has_scans", "has_payment"]
    assert required("tam-vang") == ["has_vneid_level2"]


def test_a_missing_vneid_account_is_explained_with_the_guide_entry(services):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("/deny", "deny", slots=_walking(services, "ho-chieu", 0))
    result = asyncio.run(ValidateWalkthroughForm(services).validate_has_vneid_level2(False, dispatcher, tracker, {}))
    messages = rendered(dispatcher.messages, "citizen-1")
    assert result == {"has_vneid_level2": False}
    assert messages[0]["response"] == "utter_walkthrough_need_vneid"
    assert messages[1]["text"].startswith("Đăng ký tài khoản định danh điện tử mức 2")
    dispatcher = CollectingDispatcher()
    asyncio.run(ValidateWalkthroughForm(services).validate_has_vneid_level2(True, dispatcher, tracker, {}))
    assert dispatcher.messages == []


def test_steps_come_one_at_a_time_and_the_last_one_ends_the_walkthrough(services):
    steps = services.procedures.get("ho-chieu")["online_steps"]["steps"]
    messages, events = run_action(
        ActionWalkthroughStep(services),
        make_tracker("/walkthrough_next", "walkthrough_next", slots=_walking(services, "ho-chieu", 0)),
    )
    assert messages[0]["text"] == f"Bước 1/{len(steps)}: {steps[0]['text']}"
    assert [b["title"] for b in messages[0]["buttons"]] == ["Tiếp theo", "Tôi gặp lỗi ở bước này"]
    assert slot_events(events) == {"walkthrough_step": 1}
    messages, events = run_action(
        ActionWalkthroughStep(services),
        make_tracker("tiếp theo", "walkthrough_next", slots=_walking(services, "ho-chieu", len(steps))),
    )
    assert messages[0]["response"] == "utter_walkthrough_done"
    assert slot_events(events) == {"walkthrough_procedure": None, "walkthrough_step": None}


def test_next_or_a_failed_step_while_the_prerequisites_are_asked_asks_for_the_answer_first(services):
    for action, intent in [
        (ActionWalkthroughStep(services), "walkthrough_next"),
        (ActionWalkthroughHelp(services), "walkthrough_stuck"),
    ]:
        tracker = make_tracker("tiếp theo", intent, slots=_walking(services, "ho-chieu", 0))
        tracker.active_loop = {"name": "walkthrough_form"}
        messages, events = run_action(action, tracker)
        assert [m["response"] for m in messages] == ["utter_walkthrough_answer_first"] and events == []


def test_a_step_number_beyond_the_record_is_not_a_step(services):
    tracker = make_tracker("lỗi", "walkthrough_stuck", slots=_walking(services, "ho-chieu", 99))
    messages, _ = run_action(ActionWalkthroughHelp(services), tracker)
    assert messages[0]["response"] == "utter_walkthrough_not_started"


def test_a_next_without_a_walkthrough_says_so(services):
    messages, _ = run_action(ActionWalkthroughStep(services), make_tracker("tiếp theo", "walkthrough_next"))
    assert [m["response"] for m in messages] == ["utter_walkthrough_not_started", "utter_walkthrough_which_procedure"]


def test_a_failed_step_leads_to_its_guide_entry_or_to_the_hotline(services):
    steps = services.procedures.get("ho-chieu")["online_steps"]["steps"]
    with_help = next(number for number, step in enumerate(steps, 1) if step.get("help"))
    messages, events = run_action(
        ActionWalkthroughHelp(services),
        make_tracker("tôi gặp lỗi ở bước này", "walkthrough_stuck", slots=_walking(services, "ho-chieu", with_help)),
    )
    entry = services.guide.get(steps[with_help - 1]["help"])
    assert messages[0]["text"].startswith(f"Bạn gặp khó ở bước {with_help}:")
    assert messages[1]["text"].startswith(entry.title)
    assert [b["payload"] for b in messages[1]["buttons"]] == ["/walkthrough_next", "/request_human"]
    assert slot_events(events) == {"guide_entry": entry.id}
    without_help = next(number for number, step in enumerate(steps, 1) if not step.get("help"))
    messages, _ = run_action(
        ActionWalkthroughHelp(services),
        make_tracker("lỗi", "walkthrough_stuck", slots=_walking(services, "ho-chieu", without_help)),
    )
    assert messages[0]["response"] == "utter_walkthrough_help_hotline" and "18001096" in messages[0]["text"]
