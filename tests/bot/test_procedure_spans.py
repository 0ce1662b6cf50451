"""Procedure mentions take the edges of a phrase the model was trained with."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.procedure_spans import ProcedureSpanAligner, phrase_of

TRAINED = [
    "cấp sổ đỏ lần đầu",
    "đổi bằng lái",
    "làm passport",
    "chứng thực bản sao",
    "xin giấy phép xây dựng",
    "khai tử",
    "đăng ký khai tử",
]


def _example(text: str, phrase: str) -> Message:
    start = text.index(phrase)
    return Message.build(
        text=text,
        intent="ask_fee",
        entities=[{"entity": "procedure", "start": start, "end": start + len(phrase), "value": phrase}],
    )


@pytest.fixture()
def aligner(tmp_path) -> ProcedureSpanAligner:
    """Trained on a few phrases, persisted and loaded back as Rasa would."""
    storage = LocalModelStorage(tmp_path)
    resource = Resource("procedure_spans")
    context = ExecutionContext(GraphSchema({}), "test")
    trainer = ProcedureSpanAligner.create({}, storage, resource, context)
    examples = [_example(f"{phrase} hết bao nhiêu", phrase) for phrase in TRAINED]
    trainer.train(TrainingData(examples, entity_synonyms={"làm căn cước lần đầu": "cap-the-can-cuoc"}))
    return ProcedureSpanAligner.load({}, storage, resource, context)


def _mentions(aligner: ProcedureSpanAligner, text: str, *spans: str, other=()) -> list:
    entities = [
        {"entity": "procedure", "start": text.index(s), "end": text.index(s) + len(s), "value": s, "extractor": "DIET"}
        for s in spans
    ]
    message = Message.build(text=text)
    message.set("entities", [*entities, *other])
    aligner.process([message])
    return [(e["entity"], text[e["start"] : e["end"]], e["value"]) for e in message.get("entities")]


def test_training_keeps_the_annotated_phrases_folded(aligner):
    assert phrase_of("Cấp sổ đỏ lần đầu") == ("cap", "so", "do", "lan", "dau")
    assert phrase_of("cấp sổ đỏ lần đầu") in aligner.phrases
    assert phrase_of("làm căn cước lần đầu") in aligner.phrases  # a synonym no example uses
    assert len(aligner.phrases) == len(TRAINED) + 1


def test_a_mention_running_into_the_question_stops_at_the_phrase(aligner):
    assert _mentions(aligner, "cấp sổ đỏ lần đầu chờ bao lâu", "cấp sổ đỏ lần đầu chờ") == [
        ("procedure", "cấp sổ đỏ lần đầu", "cấp sổ đỏ lần đầu")
    ]
    assert _mentions(aligner, "phi chung thuc ban sao moi trang", "phi chung thuc ban sao moi") == [
        ("procedure", "chung thuc ban sao", "chung thuc ban sao")
    ]


def test_a_mention_cut_short_or_split_becomes_the_whole_phrase(aligner):
    assert _mentions(aligner, "lệ phí đổi bằng lái năm nay", "đổi bằng") == [
        ("procedure", "đổi bằng lái", "đổi bằng lái")
    ]
    assert _mentions(aligner, "lam passport thi may hom co", "lam", "passport") == [
        ("procedure", "lam passport", "lam passport")
    ]


def test_a_lone_word_outside_any_phrase_is_dropped_and_other_entities_stay(aligner):
    text = "xin hỏi hồ sơ xin giấy phép xây dựng nhà ở gồm gì, cho 5 sao"
    rating = {"entity": "rating", "start": text.index("5"), "end": text.index("5") + 1, "value": "5"}
    assert _mentions(aligner, text, "xin", "xin giấy phép xây dựng nhà ở", other=[rating]) == [
        ("procedure", "xin giấy phép xây dựng", "xin giấy phép xây dựng"),
        ("rating", "5", "5"),
    ]


def test_a_known_phrase_and_an_unseen_name_of_several_words_are_left_as_found(aligner):
    assert _mentions(aligner, "làm passport hết bao nhiêu", "làm passport") == [
        ("procedure", "làm passport", "làm passport")
    ]
    text = "đăng ký nghĩa vụ quân sự chuyển đi cần gì"
    assert _mentions(aligner, text, "nghĩa vụ quân sự chuyển đi") == [
        ("procedure", "nghĩa vụ quân sự chuyển đi", "nghĩa vụ quân sự chuyển đi")
    ]


def test_a_known_phrase_inside_a_longer_one_grows_to_the_longer(aligner):
    assert _mentions(aligner, "đăng ký khai tử thì ra ủy ban xã", "khai tử") == [
        ("procedure", "đăng ký khai tử", "đăng ký khai tử")
    ]
    assert _mentions(aligner, "khai tử ở đâu", "khai tử") == [("procedure", "khai tử", "khai tử")]
