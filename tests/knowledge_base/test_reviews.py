"""Reviews: only a person's recorded check gives a record a review date."""

from datetime import date, timedelta

import pytest

from knowledge_base.reviews import ReviewError, ReviewStore
from knowledge_base.schema import ContentError, validate_record


@pytest.fixture()
def store(loaded_database):
    from core.db import session_factory

    return ReviewStore(session_factory(loaded_database))


def _record(curated_records, pid):
    return next(r for r in curated_records if r["id"] == pid)


def test_curated_records_carry_no_review_nobody_made(curated_records):
    assert all("last_reviewed" not in r and not r.get("reviews") for r in curated_records)


def test_a_recorded_review_is_the_latest_and_is_kept(store, curated_records):
    record = _record(curated_records, "tam-tru")
    assert store.latest(record) is None
    store.record(
        "tam-tru",
        "editor1",
        "Quyết định 5230/QĐ-BCA-C06, trang thủ tục trên dichvucong.gov.vn",
        reviewed_on=date.today() - timedelta(days=3),
    )
    newest = store.record("tam-tru", "editor2", "Thông tư 75/2022/TT-BTC")
    assert store.latest(record) == newest
    assert [r.reviewer for r in store.history(record)] == ["editor2", "editor1"]
    assert store.latest_by_procedure([record])["tam-tru"] == newest


def test_a_review_needs_a_named_source_a_real_record_and_a_past_date(store):
    with pytest.raises(ReviewError):
        store.record("tam-tru", "editor1", "   ")
    with pytest.raises(ReviewError):
        store.record("khong-co", "editor1", "Luật Cư trú 2020")
    with pytest.raises(ReviewError):
        store.record("tam-tru", "editor1", "Luật Cư trú 2020", reviewed_on=date.today() + timedelta(days=1))
    with pytest.raises(ReviewError):
        store.record("tam-tru", "editor1", "x" * 501)


def test_committed_reviews_are_validated_and_count(store, curated_records):
    record = dict(
        _record(curated_records, "tam-vang"),
        reviews=[{"date": date(2026, 11, 2), "by": "Phòng Tư pháp", "against": "Luật Cư trú 2020"}],
    )
    checked = validate_record(record, "tam-vang.yml")
    assert checked["reviews"][0]["date"] == "2026-11-02"
    assert store.latest(checked).reviewer == "Phòng Tư pháp"
    future = dict(record, reviews=[{"date": (date.today() + timedelta(days=1)).isoformat(), "by": "a", "against": "b"}])
    with pytest.raises(ContentError) as error:
        validate_record(future, "tam-vang.yml")
    assert error.value.field == "reviews.0.date"
    with pytest.raises(ContentError):
        validate_record(dict(record, reviews=[{"date": "2026-11-02", "by": "a"}]), "tam-vang.yml")
