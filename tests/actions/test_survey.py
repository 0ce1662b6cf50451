"""The service survey: offered once when a conversation about a procedure ends, every answer kept."""

from dataclasses import replace
from datetime import datetime, timezone

from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import QUESTION
from actions.survey import (
    IDLE_REMINDER,
    ActionOfferSurvey,
    ActionSurveyDone,
    ValidateServiceSurveyForm,
    idle_reminder,
    parse_score,
    session_key,
)
from tests.actions.conftest import make_tracker, run_action, slot_events

SESSION = [{"event": "session_started", "timestamp": 1764990000.0}]


def about(procedure="ho-chieu"):
    return SESSION + [
        {"event": "user", "text": "lệ phí hộ chiếu", "message_id": "m1", "parse_data": {"intent": {"name": "ask_fee"}}},
        {"event": "slot", "name": "procedure_id", "value": procedure},
        {"event": "slot", "name": "answer_status", "value": "answered"},
    ]


def offer(services, intent="goodbye", text="tạm biệt", events=None, entities=None, channel="socketio"):
    tracker = make_tracker(
        text, intent, entities=entities, events=about() if events is None else events, channel=channel
    )
    return run_action(ActionOfferSurvey(services), tracker)


def test_parse_score():
    assert parse_score("5") == 5
    assert parse_score("cho 4 sao") == 4
    assert parse_score("năm điểm") == 5
    assert parse_score("7") == 7  # out of range, refused by the form
    assert parse_score("tuyệt vời") is None
    assert parse_score("lệ phí hộ chiếu 200.000 đồng là bao nhiêu") is None


def test_a_goodbye_after_a_procedure_offers_the_survey_of_that_service(services):
    messages, events = offer(services)
    assert messages[0]["response"] == "utter_survey_intro"
    assert services.procedures.get("ho-chieu")["name"] in messages[0]["text"]
    assert events[-1] == {"event": "followup", "name": "service_survey_form", "timestamp": None}
    [survey] = services.surveys.for_conversation("citizen-1")
    assert (survey.procedure_id, survey.trigger, survey.channel) == ("ho-chieu", "goodbye", "socketio")


def test_the_survey_is_offered_once_per_conversation(services):
    offer(services)
    messages, events = offer(services)
    assert [m["response"] for m in messages] == ["utter_goodbye"]
    assert events == []
    messages, _ = offer(services, "rate_service", "tôi muốn đánh giá dịch vụ")
    assert [m["response"] for m in messages] == ["utter_survey_already_done"]
    assert len(services.surveys.for_conversation("citizen-1")) == 1


def test_no_survey_without_a_procedure(services):
    messages, _ = offer(services, events=SESSION)
    assert [m["response"] for m in messages] == ["utter_goodbye"]
    messages, _ = offer(services, "rate_service", "đánh giá dịch vụ", events=SESSION)
    assert [m["response"] for m in messages] == ["utter_survey_not_now"]
    messages, _ = offer(
        services,
        "end_conversation",
        "/end_conversation",
        events=SESSION,
        entities=[{"entity": "trigger", "value": "closed"}],
    )
    assert messages == []
    assert services.surveys.for_conversation("citizen-1") == []


def test_closing_the_widget_or_going_idle_offers_it_too(services):
    _, events = offer(
        services, "end_conversation", "/end_conversation", entities=[{"entity": "trigger", "value": "closed"}]
    )
    assert events[-1]["name"] == "service_survey_form"
    _, events = offer(
        services,
        "end_conversation",
        "/end_conversation",
        entities=[{"entity": "trigger", "value": "idle"}],
        events=about() + [{"event": "session_started", "timestamp": 1764999999.0}] + about()[1:],
        channel="telegram",
    )
    assert events[-1]["name"] == "service_survey_form"
    assert [s.trigger for s in services.surveys.for_conversation("citizen-1")] == ["closed", "idle"]


def test_the_idle_reminder_is_set_on_channels_that_can_push(settings):
    reminder = idle_reminder(settings, make_tracker("x", "ask_fee", channel="telegram"))
    [event] = reminder
    assert event["event"] == "reminder" and event["name"] == IDLE_REMINDER
    assert event["intent"] == "end_conversation" and event["entities"] == [{"entity": "trigger", "value": "idle"}]
    due = datetime.fromisoformat(event["date_time"])
    assert abs((due - datetime.now(timezone.utc)).total_seconds() - settings.survey_idle_seconds) < 60
    assert idle_reminder(settings, make_tracker("x", "ask_fee", channel="rest")) == []
    switched_off = replace(settings, survey_idle_seconds=0)
    assert idle_reminder(switched_off, make_tracker("x", "ask_fee", channel="telegram")) == []


def answer(services, text, slot, intent="rate_service", entities=None, requested=None):
    events = about()
    slots = {"requested_slot": requested or slot}
    tracker = make_tracker(text, intent, entities=entities, slots=slots, events=events, channel="telegram")
    services.surveys.start("citizen-1", session_key(tracker), "telegram", "ho-chieu", "goodbye")
    dispatcher = CollectingDispatcher()
    form = ValidateServiceSurveyForm(services)
    result = getattr(form, f"validate_{slot}")(text, dispatcher, tracker, {})
    return result, dispatcher.messages


def test_a_button_score_is_stored_at_once(services):
    result, _ = answer(
        services,
        '/rate_service{"criterion":"overall","rating":"4"}',
        "survey_overall",
        entities=[{"entity": "criterion", "value": "overall"}, {"entity": "rating", "value": "4"}],
    )
    assert result == {"survey_overall": "4"}
    [survey] = services.surveys.for_conversation("citizen-1")
    assert survey.overall == 4


def test_a_typed_score_or_skip_is_accepted(services):
    result, _ = answer(services, "2 sao", "survey_time_as_promised", intent="nlu_fallback")
    assert result == {"survey_time_as_promised": "2"}
    result, _ = answer(services, "bỏ qua", "survey_cost_as_announced", intent="deny")
    assert result == {"survey_cost_as_announced": "skip"}
    [survey] = services.surveys.for_conversation("citizen-1")
    assert (survey.time_as_promised, survey.cost_as_announced) == (2, None)


def test_only_the_question_asked_is_answered(services):
    """Opening the survey resets its slots; the goodbye that opened it answers none of them."""
    result, messages = answer(services, "tạm biệt", "survey_overall", intent="goodbye", requested="none")
    assert result == {"survey_overall": None} and messages == []
    assert services.surveys.for_conversation("citizen-1")[0].overall is None


def test_an_out_of_range_score_is_asked_again_and_not_stored(services):
    result, messages = answer(services, "9", "survey_overall", intent="nlu_fallback")
    assert result == {"survey_overall": None}
    assert messages[0]["response"] == "utter_survey_invalid"
    assert services.surveys.for_conversation("citizen-1")[0].overall is None


def test_a_question_during_the_survey_ends_it_and_is_answered(services):
    result, _ = answer(
        services,
        "làm thẻ căn cước cần giấy tờ gì",
        "survey_finding_information",
        intent="ask_documents",
        entities=[{"entity": "procedure", "value": "căn cước"}],
    )
    assert result == {"survey_finding_information": QUESTION, "requested_slot": None}
    tracker = make_tracker("làm thẻ căn cước cần giấy tờ gì", "ask_documents", events=about())
    tracker.slots["survey_finding_information"] = QUESTION
    messages, events = run_action(ActionSurveyDone(services), tracker)
    assert len(messages) == 1 and messages[0]["text"].startswith("Hồ sơ cần chuẩn bị")
    assert not [e for e in events if e["event"] == "followup"]


def test_the_end_of_the_survey_thanks_and_says_goodbye_when_a_goodbye_started_it(services):
    offer(services)
    tracker = make_tracker("5", "nlu_fallback", events=about(), channel="socketio")
    messages, events = run_action(ActionSurveyDone(services), tracker)
    assert [m["response"] for m in messages] == ["utter_survey_thanks", "utter_goodbye"]
    assert {e["name"] for e in events} >= {"survey_overall", "survey_procedure"}


def test_a_completed_dossier_brings_the_notice_and_the_survey_of_its_service(services):
    services.applications.upsert("G22.39-250101-0009", "Đã trả kết quả", "tam-tru")
    entities = [
        {"entity": "trigger", "value": "completed"},
        {"entity": "application_code", "value": "G22.39-250101-0009"},
    ]
    messages, events = offer(services, "end_conversation", "/end_conversation", events=SESSION, entities=entities)
    assert [m["response"] for m in messages] == ["utter_completion_notice", "utter_survey_intro_completed"]
    assert "G22.39-250101-0009" in messages[0]["text"]
    assert events[-1]["name"] == "service_survey_form"
    assert [(s.procedure_id, s.trigger) for s in services.surveys.for_conversation("citizen-1")] == [
        ("tam-tru", "completed")
    ]


def test_no_invitation_for_a_dossier_that_is_not_completed(services):
    services.applications.upsert("G22.39-250101-0010", "Đang giải quyết", "tam-tru")
    entities = [
        {"entity": "trigger", "value": "completed"},
        {"entity": "application_code", "value": "G22.39-250101-0010"},
    ]
    messages, events = offer(services, "end_conversation", "/end_conversation", events=SESSION, entities=entities)
    assert (messages, events) == ([], [])
    assert services.surveys.for_conversation("citizen-1") == []


def test_a_question_misread_as_a_request_to_rate_is_answered(services):
    """A real question NLU once filed under rate_service; it names its procedure in full."""
    messages, events = offer(
        services, "rate_service", "Những ai sẽ phải làm, đổi thẻ căn cước từ ngày 01/7/2024?", events=SESSION
    )
    assert slot_events(events)["procedure_id"] == "doi-cap-lai-the-can-cuoc"
    assert "utter_survey_not_now" not in [m.get("response") for m in messages]
    assert services.surveys.for_conversation("citizen-1") == []


def test_a_request_to_rate_that_names_a_procedure_is_still_a_request_to_rate(services):
    for text in ("tôi muốn đánh giá thủ tục cấp hộ chiếu", "cho 4 sao thủ tục hộ chiếu", "chấm diem ho chieu"):
        messages, _ = offer(services, "rate_service", text, events=SESSION)
        assert [m["response"] for m in messages] == ["utter_survey_not_now"], text
    messages, _ = offer(services, "rate_service", "cho tôi hỏi cái này với", events=SESSION)
    assert [m["response"] for m in messages] == ["utter_survey_not_now"]
