"""The NLU pipeline never feeds an over-long message to DIET, and never answers a procedure from it."""

from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.length_guard import MessageLengthGuard, OverlongMessageClassifier
from core.settings import MESSAGE_TOO_LONG_KEY


def test_long_message_is_cut_and_marked_with_its_length():
    message = Message.build(text="hộ chiếu " * 20_000)
    MessageLengthGuard(limit=1000).process([message])
    assert len(message.get(TEXT)) == 1000
    assert message.get(MESSAGE_TOO_LONG_KEY) == 180_000
    assert message.as_dict_nlu()[MESSAGE_TOO_LONG_KEY] == 180_000  # reaches the parse data


def test_message_at_the_limit_is_untouched():
    message = Message.build(text="a" * 1000)
    MessageLengthGuard(limit=1000).process([message])
    assert message.get(TEXT) == "a" * 1000 and message.get(MESSAGE_TOO_LONG_KEY) is None


def test_cut_message_becomes_a_fallback_without_entities():
    message = Message.build(text="làm hộ chiếu " * 200)
    MessageLengthGuard(limit=100).process([message])
    message.set(INTENT, {"name": "ask_fee", "confidence": 0.99}, add_to_output=True)
    message.set(ENTITIES, [{"entity": "procedure", "value": "ho-chieu"}], add_to_output=True)
    OverlongMessageClassifier().process([message])
    assert message.get(INTENT) == {"name": "nlu_fallback", "confidence": 1.0}
    assert message.get(ENTITIES) == []


def test_ordinary_message_keeps_its_intent():
    message = Message.build(text="làm hộ chiếu")
    MessageLengthGuard(limit=100).process([message])
    message.set(INTENT, {"name": "ask_fee", "confidence": 0.99}, add_to_output=True)
    OverlongMessageClassifier().process([message])
    assert message.get(INTENT)["name"] == "ask_fee"


def test_training_data_is_left_alone():
    example = Message.build(text="x" * 5000, intent="out_of_scope")
    MessageLengthGuard(limit=10).process_training_data(TrainingData([example]))
    assert len(example.get(TEXT)) == 5000
