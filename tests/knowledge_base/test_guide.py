"""The guide to online services: content as data, validated, and answered only when sure."""

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from knowledge_base.guide import (
    GUIDES_DIR,
    TOPICS,
    GuideEntry,
    GuideIndex,
    compose_guide_answer,
    guide_errors,
    load_guide,
    load_guide_file,
    missing_help_entries,
    validate_guide_record,
)
from knowledge_base.schema import ContentError, load_directory
from knowledge_base.text import fold
from tests.conftest import ROOT

ENTRIES = load_guide()
INDEX = GuideIndex(ENTRIES)
PROCEDURES = load_directory(ROOT / "knowledge_base" / "procedures")


def _record(**changes):
    record = {
        "id": "vi-du",
        "topic": "payment",
        "title": "Ví dụ",
        "questions": ["thanh toán thế nào", "trả phí ra sao", "nộp phí ở đâu"],
        "keywords": ["thanh toán"],
        "answer": "Bạn thanh toán trong hồ sơ.",
        "source_url": "https://dichvucong.gov.vn",
    }
    record.update(changes)
    return record


def test_every_entry_validates_and_the_guide_covers_every_topic():
    assert guide_errors(sorted(GUIDES_DIR.glob("*.yml"))) == []
    assert len(ENTRIES) >= 40
    assert len({entry.id for entry in ENTRIES}) == len(ENTRIES)
    assert {entry.topic for entry in ENTRIES} == set(TOPICS)


def test_every_example_question_is_answered_by_its_own_entry():
    """Content consistency: an entry's own questions carry one of its keywords and find it first."""
    wrong = [
        (entry.id, question, INDEX.match(question).entry)
        for entry in ENTRIES
        for question in entry.questions
        if INDEX.match(question).entry != entry
    ]
    assert wrong == []


def test_no_example_question_comes_from_the_evaluation_sets():
    """The real questions in tests/real_questions/ measure the guide; they must never be written into it."""
    evaluation = {
        fold(row["text"])
        for path in (ROOT / "tests" / "real_questions").glob("*.yml")
        for row in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("questions", [])
    }
    assert [q for entry in ENTRIES for q in entry.questions if fold(q) in evaluation] == []


def test_nobody_reviewed_the_entries_so_no_answer_claims_a_review():
    assert all(entry.reviewed_on is None for entry in ENTRIES)
    assert all("(chưa được cán bộ đối chiếu" in compose_guide_answer(entry) for entry in ENTRIES)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"source_url": "https://example.com/huong-dan"}, "source_url"),
        ({"source_url": "http://dichvucong.gov.vn"}, "source_url"),
        ({"questions": ["một", "hai"]}, "questions"),
        ({"keywords": []}, "keywords"),
        ({"keywords": [" + "]}, "keywords.0"),
        ({"answer": "x" * 501}, "answer"),
        ({"topic": "other"}, "topic"),
        ({"reviews": [{"date": str(date.today() + timedelta(days=1)), "by": "a", "against": "b"}]}, "reviews.0.date"),
    ],
)
def test_a_bad_entry_is_refused_naming_its_field(changes, field):
    with pytest.raises(ContentError) as error:
        validate_guide_record(_record(**changes), "vi-du.yml")
    assert error.value.field == field and "vi-du.yml" in str(error.value)


def test_the_file_name_must_be_the_id(tmp_path: Path):
    path = tmp_path / "ten-khac.yml"
    path.write_text(yaml.safe_dump(_record(), allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError, match="does not match the file name"):
        load_guide_file(path)


def test_a_recorded_review_is_shown_with_its_date():
    entry = validate_guide_record(
        _record(reviews=[{"date": "2026-10-02", "by": "Cán bộ A", "against": "dichvucong.gov.vn"}]), "vi-du.yml"
    )
    assert compose_guide_answer(entry).endswith("(cán bộ đã đối chiếu ngày 02/10/2026)")


def test_a_title_that_is_a_question_is_not_followed_by_a_colon():
    entry = next(entry for entry in ENTRIES if entry.title.endswith("?"))
    assert compose_guide_answer(entry).splitlines()[0] == entry.title


def test_the_answer_numbers_its_steps_and_ends_with_the_source():
    entry = next(entry for entry in ENTRIES if entry.steps and not entry.title.endswith("?"))
    lines = compose_guide_answer(entry).splitlines()
    assert lines[0] == f"{entry.title}:"
    assert lines[2].startswith("1. ") and lines[-2].startswith(f"{len(entry.steps)}. ")
    assert lines[-1].startswith(f"Nguồn chính thức: {entry.source_url}")


@pytest.mark.parametrize(
    "question, expected",
    [
        ("thanh toán lệ phí bằng thẻ bị lỗi thì làm sao", "thanh-toan-loi-da-tru-tien"),
        ("quen mat khau vneid", "vneid-quen-mat-khau-doi-sdt"),
        ("chứng thư chữ ký số sắp hết hạn thì gia hạn ở đâu", "gia-han-chung-thu-chu-ky-so"),
        ("tích hợp bằng lái xe vào VNeID thế nào", "vneid-tich-hop-giay-to"),
    ],
)
def test_questions_about_using_the_portals_find_their_entry(question, expected):
    assert INDEX.match(question).entry.id == expected


@pytest.mark.parametrize(
    "question",
    [
        "làm hộ chiếu hết bao nhiêu tiền",  # a procedure: the procedure answers, not the guide
        "lệ phí trước bạ nhà đất bao nhiêu",  # no keyword of any entry
        "Một người đứng tên nhiều sổ đỏ có được không?",  # a keyword's word, another subject
        "Người khuyết tật có được ưu tiên khi thuê nhà ở xã hội không?",
        "quên mật khẩu email",  # everyday words of a keyword, about something else
        "bị khóa tài khoản ngân hàng",
        "tôi muốn chấm điểm cán bộ",
    ],
)
def test_questions_about_something_else_get_no_guide_answer(question):
    assert INDEX.match(question).entry is None


def test_two_entries_that_fit_equally_well_answer_neither():
    twins = [
        GuideEntry.from_record(_record(id="mot")),
        GuideEntry.from_record(_record(id="hai", title="Ví dụ khác")),
    ]
    match = GuideIndex(twins).match("thanh toán thế nào")
    assert match.entry is None and "too close" in match.reason


def test_related_entries_share_the_topic():
    entry = next(entry for entry in ENTRIES if entry.id == "vneid-dang-ky-muc-2")
    related = INDEX.related(entry)
    assert related and all(other.topic == entry.topic and other.id != entry.id for other in related)


def test_walkthrough_steps_point_at_existing_entries_and_at_least_ten_procedures_have_them():
    assert missing_help_entries(PROCEDURES, ENTRIES) == []
    walked = [record for record in PROCEDURES if record.get("online_steps")]
    assert len(walked) >= 10
    assert all(any(c.startswith("trực tuyến") for c in record["channels"]) for record in walked)
    broken = dict(walked[0], online_steps=dict(walked[0]["online_steps"], steps=[{"text": "a", "help": "khong-co"}]))
    assert missing_help_entries([broken], ENTRIES) == [f"{walked[0]['id']}: step 1: no guide entry 'khong-co'"]


def _guide_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "knowledge_base", "guide", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_cli_guide_validates_the_entries_and_shows_which_one_a_question_finds():
    result = _guide_cli("--ask", "quên mật khẩu vneid")
    assert result.returncode == 0, result.stderr
    assert "guide entries valid" in result.stdout
    assert result.stdout.splitlines()[1].startswith("vneid-quen-mat-khau-doi-sdt\t")


def test_cli_guide_names_the_file_and_field_of_a_bad_entry(tmp_path: Path):
    (tmp_path / "vi-du.yml").write_text(
        yaml.safe_dump(_record(source_url="https://example.com"), allow_unicode=True), encoding="utf-8"
    )
    result = _guide_cli(str(tmp_path))
    assert result.returncode == 1 and "vi-du.yml" in result.stderr and "source_url" in result.stderr
