"""Legal questions and the asked field, from the wording alone."""

import pytest

from core.contract import FIELD_OF_INTENT
from knowledge_base.question_kind import answer_field, asked_field, legal_phrase
from knowledge_base.vocabulary import load_vocabulary


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("Không đăng ký tạm trú phạt bao nhiêu?", "phạt"),
        ("khong dang ky tam tru bi phat bao nhieu", "phạt"),  # without diacritics, folded
        ("Cản trở kết hôn thì bị xử phạt vi phạm hành chính thế nào?", "xử phạt"),
        ("Kết hôn giả có vi phạm pháp luật không?", "vi phạm pháp luật"),
        ("Đánh bạc online có bị đi tù không?", "đi tù"),
        ("Trộm cắp thì bị tội gì?", "tội"),
    ],
)
def test_questions_about_the_law(text, phrase):
    assert legal_phrase(text) == phrase


@pytest.mark.parametrize(
    "text",
    [
        "tôi muốn làm hộ chiếu",  # "toi" is "tôi", never "tội"
        "phát hành thẻ căn cước",  # "phát" is not "phạt" when typed with diacritics
        "Người đang chấp hành án phạt cải tạo không giam giữ có phải khai báo tạm vắng không?",
    ],
)
def test_not_questions_about_the_law(text):
    assert legal_phrase(text) is None


def test_a_legal_topic_counts_only_when_no_procedure_is_named():
    text = "Tôi có thể xin chứng thực bản sao đơn ly hôn được không?"
    assert legal_phrase(text) == "ly hôn"
    assert legal_phrase(text, names_procedure=True) is None
    assert legal_phrase("Không làm thẻ căn cước bị phạt bao nhiêu?", names_procedure=True) == "phạt"


@pytest.mark.parametrize(
    "text, nlu_field, expected",
    [
        ("làm hộ chiếu hết bao nhiêu tiền", "fee", "fee"),
        ("Làm mất thẻ căn cước thì xin cấp lại ở đâu?", "documents", "agency"),
        ("Những ai phải làm thẻ căn cước?", "summary", "eligibility"),
        ("Thành phần hồ sơ đăng ký khai sinh", "online", "documents"),
        ("cấp sổ đỏ lần đầu chờ bao lâu", "fee", "processing_time"),
        ("nộp online ở đâu", "agency", "online"),  # where to submit online, not the office
        ("nop truc tuyen o dau", "agency", "online"),
        ("nộp hồ sơ ở đâu", "agency", "agency"),
    ],
)
def test_the_wording_decides_the_field(text, nlu_field, expected):
    assert answer_field(text, nlu_field) == expected


def test_without_a_cue_nlu_decides_and_a_button_is_taken_as_it_is():
    assert asked_field("đăng ký tạm trú", "steps") is None
    assert answer_field("đăng ký tạm trú", "steps") == "steps"
    assert answer_field("đăng ký tạm trú", None) == "summary"
    assert answer_field('/ask_fee{"procedure": "tam-tru"}', "fee") == "fee"


def test_every_cue_names_a_field_the_answers_know():
    assert {field for field, _phrase in load_vocabulary().field_cues} <= set(FIELD_OF_INTENT.values())
