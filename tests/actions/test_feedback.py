"""👍/👎 belongs to one answered turn; the reason and "Góp ý thêm" never capture the next question."""

import re

import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import (
    ANSWERING_ACTION,
    QUESTION,
    SKIPPED,
    ActionCommentDone,
    ActionRateAnswer,
    ValidateCommentForm,
    answered_turns,
)
from tests.actions.conftest import make_tracker, run_action
from tests.conftest import ROOT


def answered(turn, procedure="ho-chieu", intent="ask_fee", text="lệ phí làm hộ chiếu", status="answered"):
    """The events of one turn the assistant answered, as the tracker holds them."""
    return [
        {"event": "user", "text": text, "message_id": turn, "parse_data": {"intent": {"name": intent}}},
        {"event": "slot", "name": "procedure_id", "value": procedure},
        {"event": "slot", "name": "answered_intent", "value": intent},
        {"event": "slot", "name": "answer_status", "value": status},
    ]


def press(turn=None, **values):
    entities = [{"entity": name, "value": value} for name, value in values.items()]
    if turn:
        entities.insert(0, {"entity": "turn", "value": turn})
    text = "/rate_answer" + str({"turn": turn, **values})
    return text, entities


def rate(services, history, turn=None, **values):
    text, entities = press(turn, **values)
    tracker = make_tracker(text, "rate_answer", entities=entities, events=history, channel="telegram")
    return run_action(ActionRateAnswer(services), tracker)


def test_answered_turns_are_read_from_the_conversation_not_the_clock():
    history = answered("m1") + answered("m2", "tam-tru", "ask_documents", "đăng ký tạm trú cần gì")
    history += [
        {"event": "user", "text": "abc", "message_id": "m3", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    ]
    history += [{"event": "slot", "name": "answer_status", "value": "not_found"}]
    assert [
        (t.turn_id, t.procedure_id, t.intent) for t in answered_turns(make_tracker("x", "greet", events=history))
    ] == [
        ("m1", "ho-chieu", "ask_fee"),
        ("m2", "tam-tru", "ask_documents"),
    ]


def test_a_thumb_is_stored_on_the_turn_it_names_once_and_changeable(services):
    history = answered("m1") + answered("m2", "tam-tru", "ask_documents", "đăng ký tạm trú cần gì")
    for _ in range(3):
        messages, _ = rate(services, history, "m1", helpful="up")
    assert messages[0]["response"] == "utter_feedback_thanks"
    rate(services, history, "m2", helpful="up")
    messages, _ = rate(services, history, "m1", helpful="down")
    rows = services.feedback.for_conversation("citizen-1")
    # m1 is the earlier answer (hộ chiếu), rated after m2: linked by id, not by time.
    assert [(r.turn_id, r.procedure_id, r.intent, r.helpful, r.channel) for r in rows] == [
        ("m1", "ho-chieu", "ask_fee", False, "telegram"),
        ("m2", "tam-tru", "ask_documents", True, "telegram"),
    ]
    assert messages[0]["response"] == "utter_ask_feedback_reason"
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "Sai thông tin",
        "Không đúng thủ tục tôi hỏi",
        "Khó hiểu",
        "Thiếu thông tin",
        "Khác",
    ]
    assert all('"turn":"m1"' in b["payload"] for b in messages[0]["buttons"])


def test_a_turn_that_was_not_answered_cannot_be_rated(services):
    messages, _ = rate(services, answered("m1"), "m-unknown", helpful="up")
    assert messages[0]["response"] == "utter_feedback_turn_unknown"
    messages, _ = rate(services, [], None, helpful="up")
    assert messages[0]["response"] == "utter_feedback_turn_unknown"
    assert services.feedback.for_conversation("citizen-1") == []


def test_a_reason_then_more_comment_opens_the_comment_prompt_for_that_turn(services):
    history = answered("m1")
    rate(services, history, "m1", helpful="down")
    messages, _ = rate(services, history, "m1", reason="wrong_procedure")
    assert messages[0]["response"] == "utter_feedback_reason_thanks"
    [more] = messages[0]["buttons"]
    assert more["title"] == "Góp ý thêm" and re.search(r'"comment":"yes"', more["payload"])
    [row] = services.feedback.for_conversation("citizen-1")
    assert row.reason == "wrong_procedure"
    _, events = rate(services, history, "m1", comment="yes")
    assert [(e["event"], e.get("name"), e.get("value")) for e in events] == [
        ("slot", "comment_turn", "m1"),
        ("followup", "comment_form", None),
    ]


def _comment(services, text, intent, entities=None):
    history = answered("m1") + [{"event": "slot", "name": "comment_turn", "value": "m1"}]
    services.feedback.rate("citizen-1", "m1", "rest", False, "ho-chieu", "ask_fee")
    slots = {"comment_turn": "m1", "requested_slot": "feedback_comment"}
    tracker = make_tracker(text, intent, entities=entities, slots=slots, events=history)
    dispatcher = CollectingDispatcher()
    result = ValidateCommentForm(services).validate_feedback_comment(text, dispatcher, tracker, {})
    return result, tracker


def test_the_comment_is_stored_masked_on_its_turn(services):
    result, _ = _comment(services, "không nói rõ địa chỉ, gọi tôi 0912345678", "nlu_fallback")
    assert result == {"feedback_comment": "không nói rõ địa chỉ, gọi tôi [SĐT]"}
    [row] = services.feedback.for_conversation("citizen-1")
    assert row.comment == "không nói rõ địa chỉ, gọi tôi [SĐT]"


def test_a_question_during_the_comment_prompt_is_answered_not_stored(services):
    result, tracker = _comment(
        services, "làm căn cước cho con 14 tuổi cần gì", "ask_documents", [{"entity": "procedure", "value": "căn cước"}]
    )
    assert result == {"feedback_comment": QUESTION, "requested_slot": None}
    assert services.feedback.for_conversation("citizen-1")[0].comment is None
    tracker.slots["feedback_comment"] = QUESTION
    messages, events = run_action(ActionCommentDone(services), tracker)
    # Answered in the same turn (a FollowupAction would leave the policies unable to listen again).
    assert [m["response"] for m in messages] == [None] and messages[0]["text"].startswith("Hồ sơ cần chuẩn bị")
    assert {"event": "slot", "name": "answer_status", "value": "answered", "timestamp": None} in events
    assert not [e for e in events if e["event"] == "followup"]


def test_a_goodbye_during_the_comment_prompt_says_goodbye(services):
    result, tracker = _comment(services, "tạm biệt", "goodbye")
    assert result["feedback_comment"] == QUESTION
    tracker.slots["feedback_comment"] = QUESTION
    messages, events = run_action(ActionCommentDone(services), tracker)
    assert messages[0]["response"] == "utter_survey_intro"
    assert events[-1] == {"event": "followup", "name": "service_survey_form", "timestamp": None}
    assert services.feedback.for_conversation("citizen-1")[0].comment is None


def test_skipping_the_comment_stores_nothing(services):
    result, tracker = _comment(services, "Bỏ qua", "deny")
    assert result == {"feedback_comment": SKIPPED}
    assert services.feedback.for_conversation("citizen-1")[0].comment is None
    tracker.slots["feedback_comment"] = SKIPPED
    messages, _ = run_action(ActionCommentDone(services), tracker)
    assert messages[0]["response"] == "utter_comment_skipped"


def test_the_interrupting_question_is_answered_by_the_action_its_rule_names():
    """ANSWERING_ACTION mirrors nlu_data/rules.yml; if they drift, an interrupted prompt answers wrong."""
    rules = yaml.safe_load((ROOT / "nlu_data" / "rules.yml").read_text(encoding="utf-8"))["rules"]
    by_intent = {}
    for rule in rules:
        steps = rule.get("steps") or []
        if rule.get("condition") or len(steps) < 2 or "action" not in steps[1]:
            continue
        first = steps[0]
        intents = [first["intent"]] if "intent" in first else [o["intent"] for o in first.get("or", [])]
        for intent in intents:
            by_intent.setdefault(intent, set()).add(steps[1]["action"])
    for intent, action in ANSWERING_ACTION.items():
        assert by_intent.get(intent) == {action}, intent


def test_criticism_that_names_no_procedure_clearly_is_a_comment(services):
    for text, intent in (
        ("sai thông tin rồi, sđt của tôi 0912345678", "nlu_fallback"),
        ("không nói rõ địa chỉ nộp", "ask_agency"),
        ("chờ lâu quá", "nlu_fallback"),
    ):
        result, _ = _comment(services, text, intent)
        assert result["feedback_comment"] not in (QUESTION, SKIPPED), text
