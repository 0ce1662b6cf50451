"""The whole-message decision: answer, ask, say "not in the knowledge base", or redirect legal questions."""

from __future__ import annotations

from typing import Dict, List

import pytest

from bench.real_questions import imported_records
from knowledge_base.resolver import (
    AMBIGUOUS,
    FOUND,
    LEGAL,
    NOT_FOUND,
    NOT_MENTIONED,
    resolve_procedure,
    without_personal_numbers,
)
from knowledge_base.search import ProcedureIndex


@pytest.fixture(scope="module")
def catalogue_index(curated_records) -> ProcedureIndex:
    """The curated records plus the national sample, as an office's imported catalogue."""
    return ProcedureIndex(list(curated_records) + imported_records())


@pytest.mark.parametrize(
    "text, expected",
    [
        ("làm hộ chiếu hết bao nhiêu tiền", "ho-chieu"),
        ("lam ho chieu o dau", "ho-chieu"),
        ("làm hộ chiu ở đâu", "ho-chieu"),  # one-letter typo, confirmed by "hộ"
        ("đăng kí kết hôn cần gì", "ket-hon"),
        ("cccd cho con 13t", "cap-the-can-cuoc"),
        ("Thủ tục cấp lại thẻ căn cước bị mất như thế nào?", "doi-cap-lai-the-can-cuoc"),
        ("Hồ sơ xin cấp sổ đỏ lần đầu đối với cá nhân gồm những giấy tờ gì?", "cap-so-do-lan-dau"),
        ("Người thuê nhà có đăng ký thường trú được không?", "thuong-tru"),
    ],
)
def test_a_clearly_named_procedure_is_answered(curated_index, text, expected):
    resolution = resolve_procedure(curated_index, text)
    assert (resolution.status, resolution.procedure_id) == (FOUND, expected)


@pytest.mark.parametrize(
    "text",
    [
        "nhận",  # a generic word names nothing
        "mất",
        "công ty",
        "xã hội",
    ],
)
def test_generic_words_alone_never_name_a_procedure(curated_index, text):
    assert resolve_procedure(curated_index, text).status in (NOT_MENTIONED, NOT_FOUND)


@pytest.mark.parametrize(
    "text",
    [
        "Không đăng ký tạm trú phạt bao nhiêu 2025?",
        "khong dang ky tam tru bi phat bao nhieu",
        "Xây nhà thêm tầng không có giấy phép xây dựng bị xử phạt thế nào?",
        "Kết hôn giả để đi nước ngoài có vi phạm pháp luật không?",
        "Chia thừa kế nhà đất khi có người không đồng ý thì xử lý ra sao?",
    ],
)
def test_questions_about_the_law_are_redirected(curated_index, text):
    resolution = resolve_procedure(curated_index, text)
    assert resolution.status == LEGAL and resolution.procedure_id is None


def test_a_sentence_describing_the_asker_is_not_a_legal_question(curated_index):
    text = "Người đang chấp hành án phạt cải tạo không giam giữ phải khai báo tạm vắng ở đâu?"
    assert resolve_procedure(curated_index, text).status != LEGAL


def test_a_legal_topic_word_inside_a_named_procedure_is_still_that_procedure(curated_index):
    text = "Tôi có thể xin chứng thực bản sao đơn ly hôn được không?"
    assert resolve_procedure(curated_index, text).status != LEGAL


@pytest.mark.parametrize(
    "text",
    [
        "Người đi làm hộ chiếu công vụ phải chuẩn bị những giấy tờ nào?",  # another kind of passport
        "Mở khóa căn cước điện tử trong trường hợp nào?",  # another act on the card
    ],
)
def test_a_foreign_neighbour_word_is_never_answered(curated_index, text):
    resolution = resolve_procedure(curated_index, text)
    assert resolution.status != FOUND


@pytest.mark.parametrize(
    "text",
    [
        "mức lương tối đa đóng bảo hiểm thất nghiệp là bao nhiêu",
        "miễn thuế nhập khẩu hàng hóa",
        "cấp phép bến thủy nội địa",
        "giấy phép kinh doanh rượu",
    ],
)
def test_near_misses_are_not_answered(curated_index, text):
    assert resolve_procedure(curated_index, text).status != FOUND


def test_two_procedures_named_in_full_are_asked_about(curated_index):
    resolution = resolve_procedure(curated_index, "làm hộ chiếu hết bao nhiêu và đăng ký tạm trú mất mấy ngày")
    assert resolution.status == AMBIGUOUS
    assert {hit.id for hit in resolution.choices} == {"ho-chieu", "tam-tru"}


def test_a_follow_up_stays_on_the_procedure_under_discussion(curated_index):
    resolution = resolve_procedure(curated_index, "mất mấy ngày", current_id="tam-tru")
    assert (resolution.status, resolution.procedure_id) == (FOUND, "tam-tru")


def test_a_personal_number_and_its_lead_in_never_name_a_procedure(curated_index):
    assert "cccd" not in without_personal_numbers("cccd 001203004567 làm hộ chiếu").lower()
    resolution = resolve_procedure(curated_index, "cccd 001203004567 làm hộ chiếu")
    assert (resolution.status, resolution.procedure_id) == (FOUND, "ho-chieu")


def test_siblings_of_an_imported_catalogue_are_offered_as_choices(catalogue_index):
    resolution = resolve_procedure(catalogue_index, "đăng ký nghĩa vụ quân sự")
    assert resolution.status == AMBIGUOUS
    assert "1.013133" in {hit.id for hit in resolution.choices}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("đăng ký nghĩa vụ quân sự lần đầu cần giấy tờ gì", "1.013133"),
        ("chuyển nơi ở thì đăng ký nghĩa vụ quân sự chuyển đi làm ở đâu", "1.013134"),
        ("cấp phép bay tàu bay không người lái mất mấy ngày", "1.013272"),  # a short alias of a long official name
        ("thủ tục 1.013133 làm online được không", "1.013133"),  # the national code
        ("làm hộ chiếu hết bao nhiêu tiền", "ho-chieu"),  # curated answers do not move
    ],
)
def test_imported_records_are_first_class(catalogue_index, text, expected):
    resolution = resolve_procedure(catalogue_index, text)
    assert (resolution.status, resolution.procedure_id) == (FOUND, expected)


def test_every_alias_names_its_procedure_alone(curated_records, curated_index):
    """The alias audit: no alias made only of generic words, none shared by two records."""
    owners: Dict[frozenset, set] = {}
    vague: List[str] = []
    for record in curated_records:
        for text in [record["name"], *record.get("aliases", [])]:
            terms = frozenset(curated_index.content_words(text))
            if all(curated_index.is_generic(term) for term in terms):
                vague.append(f"{record['id']}: {text}")
            owners.setdefault(terms, set()).add(record["id"])
    assert not vague
    assert not {terms: ids for terms, ids in owners.items() if len(ids) > 1}


def test_close_candidates_that_all_miss_a_word_beside_their_name_are_not_offered(curated_index):
    resolution = resolve_procedure(curated_index, "giấy phép kinh doanh rượu")
    assert resolution.status == NOT_FOUND
