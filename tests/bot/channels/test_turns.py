"""Every turn answers something, and a 👍/👎 pressed while the action server is away is kept."""

import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from actions.stores.feedback import AnswerFeedbackStore
from actions.stores.handoff import HandoffQueue
from bot.channels.turns import BUSY_REPLY, feedback_in, guarantee_reply
from core.db import session_factory


@pytest.mark.parametrize(
    "text, value",
    [
        ('/rate_answer{"turn": "m1", "helpful": "up"}', {"turn": "m1", "helpful": "up"}),
        ('/rate_answer{"turn":"m1","helpful":"DOWN"}', {"turn": "m1", "helpful": "down"}),
        ('/rate_answer{"turn": "m1", "reason": "hard_to_understand"}', {"turn": "m1", "reason": "hard_to_understand"}),
        ('/rate_answer{"turn": "m1", "reason": "rude"}', None),
        ('/rate_answer{"helpful": "up"}', None),
        ('/rate_answer{"turn": "m1", "helpful": "up"', None),
        ('/rate_answer["m1"]', None),
        ('/rate_service{"rating": "5"}', None),
        ("5 sao", None),
        ('/ask_fee{"procedure": "ho-chieu"}', None),
    ],
)
def test_feedback_buttons_are_recognised(text, value):
    assert feedback_in(text) == value


def run_turn(on_new_message, text, feedback=None, conversation_id=None):
    collector = CollectingOutputChannel()
    handle = guarantee_reply(on_new_message, feedback, conversation_id)
    message = UserMessage(text, collector, "citizen-1", input_channel="zalo")
    asyncio.run(handle(message))
    return collector.messages, message


def test_a_turn_that_answered_is_left_alone():
    async def answers(message):
        await message.output_channel.send_response(message.sender_id, {"text": "Xin chào"})

    messages, _ = run_turn(answers, "xin chào")
    assert [m["text"] for m in messages] == ["Xin chào"]


@pytest.mark.parametrize("failure", ["silent", "raises"])
def test_a_silent_or_failed_turn_answers_busy_and_keeps_the_feedback(database_url, failure):
    async def turn(message):
        if failure == "raises":
            raise ConnectionError("action server down")

    store = AnswerFeedbackStore(session_factory(database_url))
    messages, _ = run_turn(turn, '/rate_answer{"turn": "m7", "helpful": "down"}', store)
    assert [(m["recipient_id"], m["text"]) for m in messages] == [("citizen-1", BUSY_REPLY)]
    run_turn(turn, '/rate_answer{"turn": "m7", "reason": "wrong_procedure"}', store)
    rows = store.for_conversation("citizen-1")
    assert [(r.turn_id, r.helpful, r.reason, r.channel) for r in rows] == [("m7", False, "wrong_procedure", "zalo")]


def test_closing_the_widget_with_nothing_to_survey_may_stay_silent():
    async def silent(message):
        return None

    messages, _ = run_turn(silent, '/end_conversation{"trigger": "closed"}')
    assert messages == []
    messages, _ = run_turn(silent, "tạm biệt")
    assert [m["text"] for m in messages] == [BUSY_REPLY]


def test_closing_the_widget_while_the_turn_fails_still_answers_busy():
    async def fails(message):
        raise ConnectionError("action server down")

    messages, _ = run_turn(fails, '/end_conversation{"trigger": "closed"}')
    assert [m["text"] for m in messages] == [BUSY_REPLY]


def test_replies_go_to_the_clients_id_while_another_is_stored():
    async def answers(message):
        await message.output_channel.send_response(message.sender_id, {"text": "ok"})

    messages, message = run_turn(answers, "xin chào", conversation_id=lambda sender: "stored-" + sender)
    assert message.sender_id == "stored-citizen-1"
    assert messages[0]["recipient_id"] == "citizen-1"


def test_a_channel_that_redoes_failed_turns_gets_the_failure_back():
    async def fails(message):
        raise ConnectionError("database down")

    collector = CollectingOutputChannel()
    handle = guarantee_reply(fails, redo_failed_turns=True)
    with pytest.raises(ConnectionError):
        asyncio.run(handle(UserMessage("xin chào", collector, "telegram:1", input_channel="telegram")))
    assert collector.messages == []


def test_a_turn_silent_because_an_officer_holds_the_conversation_gets_no_busy_reply(database_url):
    async def paused(message):
        return None

    queue = HandoffQueue(session_factory(database_url))
    ticket = queue.open_request("citizen-1", "zalo")

    def turn():
        collector = CollectingOutputChannel()
        handle = guarantee_reply(paused, handoffs=queue)
        asyncio.run(handle(UserMessage("anh ơi cho em hỏi thêm", collector, "citizen-1", input_channel="zalo")))
        return [m["text"] for m in collector.messages]

    assert turn() == [BUSY_REPLY]  # waiting, not taken: the assistant should have answered
    queue.take(ticket.id, "canbo1")
    assert turn() == []
    queue.hand_back(ticket.id, "canbo1")
    assert turn() == [BUSY_REPLY]
