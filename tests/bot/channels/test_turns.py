"""Every turn answers something, and a rating pressed while the action server is away is kept."""

import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from actions.stores.ratings import RatingStore
from bot.channels.turns import BUSY_REPLY, guarantee_reply, rating_in
from core.db import session_factory


@pytest.mark.parametrize(
    "text, value",
    [
        ('/rate_service{"rating": "5"}', "5"),
        ('/rate_service{"rating":"down"}', "down"),
        ('/rate_service{"rating": "9"}', None),
        ('/rate_service{"rating": "5"', None),
        ("5 sao", None),
        ('/ask_fee{"procedure": "ho-chieu"}', None),
    ],
)
def test_rating_buttons_are_recognised(text, value):
    assert rating_in(text) == value


def run_turn(on_new_message, text, ratings=None, conversation_id=None):
    collector = CollectingOutputChannel()
    handle = guarantee_reply(on_new_message, ratings, conversation_id)
    message = UserMessage(text, collector, "citizen-1", input_channel="zalo")
    asyncio.run(handle(message))
    return collector.messages, message


def test_a_turn_that_answered_is_left_alone():
    async def answers(message):
        await message.output_channel.send_response(message.sender_id, {"text": "Xin chào"})

    messages, _ = run_turn(answers, "xin chào")
    assert [m["text"] for m in messages] == ["Xin chào"]


@pytest.mark.parametrize("failure", ["silent", "raises"])
def test_a_silent_or_failed_turn_answers_busy_and_keeps_the_rating(database_url, failure):
    async def turn(message):
        if failure == "raises":
            raise ConnectionError("action server down")

    ratings = RatingStore(session_factory(database_url))
    messages, _ = run_turn(turn, '/rate_service{"rating": "2"}', ratings)
    assert [(m["recipient_id"], m["text"]) for m in messages] == [("citizen-1", BUSY_REPLY)]
    assert [(r.score, r.channel) for r in ratings.for_conversation("citizen-1")] == [(2, "zalo")]


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
