import pytest

from bench.kb_search import brute_force
from knowledge_base.resolver import AMBIGUOUS, FOUND, NOT_FOUND, NOT_MENTIONED, resolve_procedure
from knowledge_base.search import ProcedureIndex, content_words


@pytest.mark.parametrize(
    "query, expected",
    [
        ("làm hộ chiếu hết bao nhiêu tiền", "ho-chieu"),
        ("lam ho chieu het bao nhieu tien", "ho-chieu"),
        ("passport", "ho-chieu"),
        ("nhập hộ khẩu cho con", "thuong-tru"),
        ("nhap khau", "thuong-tru"),
        ("sổ đỏ", "cap-so-do-lan-dau"),
        ("bằng lái hết hạn", "doi-gplx"),
        ("mất bằng lái", "cap-lai-gplx"),
        ("đổi cccd", "doi-cap-lai-the-can-cuoc"),
        ("rút bhxh 1 lần", "bhxh-mot-lan"),
        ("dk tam tru", "tam-tru"),
        ("Chào anh chị, em là sinh viên ở trọ muốn đăng ký tạm trú", "tam-tru"),
        ("ĐĂNG KÝ KẾT HÔN", "ket-hon"),
    ],
)
def test_search_finds_by_name_alias_and_without_diacritics(curated_index, query, expected):
    hits = curated_index.search(query)
    assert hits and hits[0].id == expected
    assert hits == sorted(hits, key=lambda h: -h.score)


@pytest.mark.parametrize(
    "query", ["cấp phép bắn pháo hoa", "giá vàng hôm nay", "nuôi chó mèo", "", "thẻ", "đăng ký", "giấy phép", "cấp lại"]
)
def test_search_returns_nothing_rather_than_a_wrong_procedure(curated_index, query):
    assert curated_index.search(query) == []


def test_question_words_are_not_content():
    assert content_words("cần giấy tờ gì") == []
    assert content_words("còn lệ phí thì sao bạn ơi") == []
    assert content_words("làm hộ chiếu hết bao nhiêu tiền") == ["ho", "chieu"]
    assert "can" in content_words("làm căn cước")


def test_resolution_follow_up_uses_current_procedure(curated_index):
    resolution = resolve_procedure(curated_index, "cần giấy tờ gì", [], current_id="ho-chieu")
    assert (resolution.status, resolution.procedure_id) == (FOUND, "ho-chieu")


def test_resolution_switches_when_another_procedure_is_named(curated_index):
    resolution = resolve_procedure(curated_index, "còn đăng ký kết hôn thì sao", [], current_id="ho-chieu")
    assert resolution.procedure_id == "ket-hon"


def test_resolution_ambiguous_offers_at_most_three(curated_index):
    resolution = resolve_procedure(curated_index, "bằng lái xe", [])
    assert resolution.status == AMBIGUOUS
    ids = [hit.id for hit in resolution.choices]
    assert 2 <= len(ids) <= 3 and {"cap-lai-gplx", "doi-gplx"} <= set(ids)


def test_resolution_unknown_never_falls_back_to_current(curated_index):
    resolution = resolve_procedure(
        curated_index, "cấp phép bắn pháo hoa bao nhiêu tiền", ["bắn pháo hoa"], current_id="ho-chieu"
    )
    assert resolution.status == NOT_FOUND and resolution.procedure_id is None


def test_resolution_trusts_an_id_from_a_button_but_not_from_free_text(curated_index):
    assert (
        resolve_procedure(curated_index, '/ask_fee{"procedure": "ho-chieu"}', ["ho-chieu"]).procedure_id == "ho-chieu"
    )
    # DIET's fragments (synonym ids included) are evidence: free text that names nothing is not an answer.
    assert resolve_procedure(curated_index, "phí bao nhiêu", ["ho-chieu"]).status == NOT_MENTIONED


def test_resolution_nothing_mentioned_without_context(curated_index):
    assert resolve_procedure(curated_index, "lệ phí bao nhiêu", []).status == NOT_MENTIONED


def test_pruned_search_ranks_exactly_like_scoring_every_record(curated_records):
    """Max-score pruning skips records, never changes the top five, on a set full of near-copies."""
    records = list(curated_records)
    for copy_no, place in enumerate(["Hà Nội", "Huế", "Cần Thơ", "xã đảo", "khu công nghiệp", "đặc khu"]):
        for record in curated_records:
            records.append(
                {
                    **record,
                    "id": f"{record['id']}-{copy_no}",
                    "code": None,
                    "name": f"{record['name']} {place}",
                    "aliases": [f"{alias} {place}" for alias in record.get("aliases", [])[:2]],
                }
            )
    index = ProcedureIndex(records)
    queries = [record["name"].lower() for record in curated_records] + [
        "làm hộ chiếu ở huế",
        "đăng ký tạm trú cần giấy tờ gì",
        "cấp lại bằng lái xe khu công nghiệp",
        "đăng ký kết hôn có yếu tố nước ngoài tại cần thơ",
        "lam giay khai sinh cho be o ha noi",
        "thẻ",
    ]
    compared = 0
    for query in queries:
        expected = brute_force(index, query)
        assert index.search(query) == expected, query
        compared += bool(expected)
    assert compared >= len(curated_records)
