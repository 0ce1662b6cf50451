from actions.ratings import ActionGoodbye, ActionRatingDone, ValidateRatingForm, parse_score
from actions.stores.ratings import RatingStore
from tests.actions.conftest import make_tracker, run_action


def _validate(services, method, value, text, slots=None, channel="rest", sender="citizen-1"):
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "rate_service", slots=slots, channel=channel, sender_id=sender)
    result = getattr(ValidateRatingForm(services), method)(value, dispatcher, tracker, {})
    return result, dispatcher.messages


def test_parse_score():
    assert parse_score("5") == 5
    assert parse_score("cho 4 sao") == 4
    assert parse_score("năm điểm") == 5
    assert parse_score("7") == 7
    assert parse_score("tuyệt vời") is None


def test_score_is_stored_with_procedure_intent_and_channel(services):
    slots = {"procedure_id": "ho-chieu", "answered_intent": "ask_fee"}
    result, _ = _validate(services, "validate_rating", "5", "5", slots, channel="socketio")
    assert result["rating"] == "5" and result["rated"] is True
    [row] = RatingStore(services.sessions).for_conversation("citizen-1")
    assert (row.score, row.procedure_id, row.intent, row.channel) == (5, "ho-chieu", "ask_fee", "socketio")


def test_out_of_range_is_asked_again_and_not_stored(services):
    result, messages = _validate(services, "validate_rating", "7", "7 điểm")
    assert result == {"rating": None}
    assert messages[0]["response"] == "utter_rating_invalid"
    assert RatingStore(services.sessions).for_conversation("citizen-1") == []


def test_thumbs_up_skips_comment_and_down_asks_for_it(services):
    up, _ = _validate(services, "validate_rating", "up", "/rate_service", {"procedure_id": "tam-tru"})
    assert up["rating_comment"] == "(bỏ qua)"
    down, messages = _validate(services, "validate_rating", "down", "/rate_service", {"procedure_id": "tam-tru"})
    assert "rating_comment" not in down and messages
    rows = RatingStore(services.sessions).for_conversation("citizen-1")
    assert [(r.helpful, r.procedure_id) for r in rows] == [(False, "tam-tru")]  # one thumb per answer: the latest


def test_comment_is_masked_and_attached(services):
    result, _ = _validate(services, "validate_rating", "2", "2")
    rating_id = result["rating_id"]
    comment, _ = _validate(
        services, "validate_rating_comment", "x", "chờ lâu quá, gọi tôi 0912345678", {"rating_id": rating_id}
    )
    assert comment["rating_comment"] == "chờ lâu quá, gọi tôi [SĐT]"
    [row] = RatingStore(services.sessions).for_conversation("citizen-1")
    assert row.comment == "chờ lâu quá, gọi tôi [SĐT]"


def test_skip_comment(services):
    result, _ = _validate(services, "validate_rating_comment", "bỏ qua", "bỏ qua", {"rating_id": 1})
    assert result == {"rating_comment": "(bỏ qua)"}


def test_rating_done_thanks_and_resets(services):
    messages, events = run_action(ActionRatingDone(services), make_tracker("bỏ qua", "deny"))
    assert messages[0]["response"] == "utter_rating_thanks"
    assert {e["name"] for e in events} == {"rating", "rating_comment", "rating_id"}


def test_goodbye_after_an_answer_asks_for_a_rating(services):
    answered = [{"event": "slot", "name": "answered_intent", "value": "ask_fee"}]
    messages, _ = run_action(ActionGoodbye(services), make_tracker("tạm biệt", "goodbye", events=answered))
    assert messages[-1]["response"] == "utter_ask_rating"
    messages, _ = run_action(ActionGoodbye(services), make_tracker("tạm biệt", "goodbye"))
    assert messages[-1]["response"] == "utter_goodbye"
    messages, _ = run_action(
        ActionGoodbye(services), make_tracker("tạm biệt", "goodbye", slots={"rated": True}, events=answered)
    )
    assert messages[-1]["response"] == "utter_goodbye"
