from datetime import date

from core.contract import FIELD_OF_INTENT, Field
from knowledge_base.answers import FIELD_CHOICES, compose_answer, format_vnd
from knowledge_base.reviews import Review
from knowledge_base.tables import IMPORTED_ORIGIN


def _record(curated_records, pid):
    return next(r for r in curated_records if r["id"] == pid)


def test_fee_answer_puts_the_fee_first_and_ends_with_the_source(curated_records):
    passport = _record(curated_records, "ho-chieu")
    answer = compose_answer(passport, "fee")
    lines = answer.text.splitlines()
    assert lines[0].startswith("Lệ phí – Cấp hộ chiếu phổ thông")
    assert "200.000 đồng" in lines[1]
    assert lines[-1] == (
        f"Nguồn chính thức: {passport['source_url']} (chưa được cán bộ đối chiếu, vui lòng kiểm tra trang nguồn)"
    )
    assert answer.next_fields == [choice for choice in FIELD_CHOICES if choice[0] != Field.FEE]


def test_documents_answer_lists_documents(curated_records):
    answer = compose_answer(_record(curated_records, "ho-chieu"), "documents")
    assert "Tờ khai đề nghị cấp hộ chiếu" in answer.text
    assert "mẫu: TK01" in answer.text


def test_free_procedure_says_free(curated_records):
    assert "miễn phí" in compose_answer(_record(curated_records, "khai-sinh"), "fee").text


def test_online_answer_distinguishes_full_and_partial(curated_records):
    assert "toàn trình" in compose_answer(_record(curated_records, "ho-chieu"), "online").text
    signature = compose_answer(_record(curated_records, "chung-thuc-chu-ky"), "online").text
    assert "chưa nộp trực tuyến" in signature


def test_online_answer_claims_no_more_than_the_source_says(curated_records):
    """An imported record says only "trực tuyến": the answer must not call it full or partial."""
    imported = dict(_record(curated_records, "ho-chieu"), channels=["trực tiếp", "trực tuyến"], online_url=None)
    text = compose_answer(imported, "online").text
    assert "nộp trực tuyến được" in text and "toàn trình" not in text and "một phần" not in text
    assert imported["source_url"] in text


def test_every_curated_answer_is_chat_sized(curated_records):
    for record in curated_records:
        for field in FIELD_OF_INTENT.values():
            text = compose_answer(record, field).text
            assert len(text) < 1500, (record["id"], field, len(text))
            assert record["source_url"] in text


def test_format_vnd():
    assert format_vnd(200000) == "200.000 đồng"
    assert format_vnd(8000) == "8.000 đồng"


def test_only_a_recorded_review_gives_a_date(curated_records):
    passport = _record(curated_records, "ho-chieu")
    assert not any(
        char.isdigit()
        for char in compose_answer(passport, "fee").text.splitlines()[-1].replace(passport["source_url"], "")
    )
    review = Review("ho-chieu", date(2026, 11, 20), "can.bo.xa", "Quyết định công bố TTHC của Bộ Công an")
    last = compose_answer(passport, "fee", review).text.splitlines()[-1]
    assert last == f"Nguồn chính thức: {passport['source_url']} (cán bộ đã đối chiếu ngày 20/11/2026)"


def test_imported_record_says_where_it_comes_from_and_that_it_is_unreviewed(curated_records):
    imported = dict(_record(curated_records, "ho-chieu"), origin=IMPORTED_ORIGIN)
    last = compose_answer(imported, "fee").text.splitlines()[-1]
    assert "Cơ sở dữ liệu quốc gia về thủ tục hành chính" in last and "chưa được cán bộ rà soát" in last
