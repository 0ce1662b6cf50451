"""The signed reports: their periods, and that the XLSX and the PDF carry the dashboard's own figures."""

from __future__ import annotations

import re
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Dict, List

import pytest
from openpyxl import load_workbook

from actions.stores.surveys import ServiceSurveyStore
from core.db import engine_for, session_factory
from core.settings import VIETNAM_TIME
from tests.web.dashboard.conftest import add_hostile_rows, seed
from web.dashboard import analytics
from web.dashboard.statistics import mean_interval, wilson
from web.reports.figures import (
    TITLE,
    build_report,
    named_period,
    period_between,
    previous_month,
    previous_week,
)
from web.reports.pdf import pdf_bytes, plain
from web.reports.workbook import SHEETS, workbook_bytes

OFFICE = "UBND phường Bến Thành"
NOW = datetime(2026, 11, 23, 1, 30, tzinfo=timezone.utc)


def test_previous_week_is_monday_to_sunday():
    for today in (date(2026, 11, 23), date(2026, 11, 25), date(2026, 11, 29)):
        week = previous_week(today)
        assert (week.start, week.end) == (date(2026, 11, 16), date(2026, 11, 22))
    assert previous_week(date(2026, 11, 22)).start == date(2026, 11, 9)
    assert previous_week(date(2026, 11, 25)).label == "Tuần 47/2026 (16/11/2026 – 22/11/2026)"
    assert previous_week(date(2027, 1, 4)).file_stem == "bao-cao-tuan-2026-W53"


def test_previous_month_is_the_whole_calendar_month():
    january = previous_month(date(2026, 2, 1))
    assert (january.start, january.end) == (date(2026, 1, 1), date(2026, 1, 31))
    assert (previous_month(date(2028, 3, 31)).end, previous_month(date(2026, 1, 15)).start) == (
        date(2028, 2, 29),
        date(2025, 12, 1),
    )
    assert previous_month(date(2026, 12, 5)).label == "Tháng 11/2026 (01/11/2026 – 30/11/2026)"
    with pytest.raises(ValueError):
        named_period("year")
    with pytest.raises(ValueError):
        period_between(date(2026, 11, 2), date(2026, 11, 1))


@pytest.fixture
def reviewed(loaded_database) -> Dict[str, Any]:
    """The dashboard's seeded conversations and feedback, two more surveys of the passport service
    (through the store, as the action server writes them) and the hostile rows."""
    url = seed(loaded_database)
    surveys = ServiceSurveyStore(session_factory(url))
    for conversation, score in (("telegram:8", 4), ("telegram:9", 3)):
        surveys.start(conversation, "s", "telegram", "ho-chieu", "goodbye")
        surveys.answer(conversation, "s", "overall", score)
    add_hostile_rows(url)
    data = analytics.ReviewData(engine_for(url))
    # Up to today in Vietnam: the surveys just stored fall on today's Vietnam date (UTC's may be yesterday).
    period = period_between(date(2026, 11, 19), datetime.now(VIETNAM_TIME).date())
    report = build_report(data, period, OFFICE, min_answers=3, now=NOW)
    return {"data": data, "period": period, "report": report}


def rows_of(sheet) -> List[List[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def row_named(rows: List[List[Any]], label: str, column: int = 0) -> List[Any]:
    [row] = [row for row in rows if row[column] == label]
    return row


def test_workbook_carries_the_dashboards_figures(reviewed, tmp_path: Path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(workbook_bytes(reviewed["report"]))
    book = load_workbook(path)
    assert tuple(book.sheetnames) == SHEETS
    # what the services page computes for the same days, asked separately
    evaluation = analytics.evaluate(reviewed["data"], reviewed["period"].filters, min_answers=3)

    overview = rows_of(book["Tổng quan"])
    assert overview[0][0] == TITLE and f"Đơn vị: {OFFICE}" in overview[1][0]
    assert overview[2][0] == f"Kỳ báo cáo: {reviewed['period'].label}"
    assert overview[3][0] == "Lập lúc: 23/11/2026 08:30 (giờ Việt Nam)"
    helpful = row_named(overview, "Tỷ lệ câu trả lời được đánh giá hữu ích (👍)")
    share = evaluation.answers.helpful
    assert helpful[1:6] == pytest.approx([share.value, share.low, share.high, share.n, share.text], rel=1e-12)
    assert (share.k, share.n) == (1, 8), "three seeded and five hostile 👎"
    overall = row_named(overview, "Điểm chung (1–5)")
    mean = evaluation.service.overall
    assert overall[1:5] == pytest.approx([mean.value, mean.low, mean.high, mean.n], rel=1e-12)
    assert mean == mean_interval([5, 2, 4, 3]), "the out-of-range 9 is not a score"
    assert row_named(overview, "Số cuộc trò chuyện")[1] == 10
    assert row_named(overview, "👎 – Khó hiểu")[1] == 1

    services = rows_of(book["Theo dịch vụ"])
    passport = row_named(services, "ho-chieu", column=2)
    [ranked] = [e for g in evaluation.service_groups for e in g.ranked]
    assert passport[:11] == pytest.approx(
        [
            "Xuất nhập cảnh · cấp tỉnh",
            1,
            "ho-chieu",
            "Cấp hộ chiếu phổ thông ở trong nước",
            3,
            ranked.overall.value,
            ranked.overall.low,
            ranked.overall.high,
            ranked.satisfied.value,
            ranked.satisfied.low,
            ranked.satisfied.high,
        ],
        rel=1e-12,
    )
    assert (ranked.overall.value, ranked.satisfied) == (4.0, wilson(2, 3))
    residence = row_named(services, "tam-tru", column=2)
    assert residence[1] == "Chưa xếp hạng" and residence[4] == 1
    assert any("từ 3 lượt chấm điểm chung" in (row[0] or "") for row in services)

    answers = rows_of(book["Câu trả lời của trợ lý"])
    passport_answers = row_named(answers, "Cấp hộ chiếu phổ thông ở trong nước")
    assert passport_answers[1:4] == [2, 1, 1] and passport_answers[7] == "Thiếu thông tin: 1"
    channels = rows_of(book["Theo kênh"])
    answered, surveyed = [row for row in channels if row[0] == "Telegram"]  # the two tables, apart
    assert (answered[1], answered[4], surveyed[1], surveyed[2]) == (2, 0.5, 3, 4.0)

    unanswered = rows_of(book["Câu hỏi chưa trả lời được"])
    assert row_named(unanswered, "cấp phép bắn pháo hoa")[1:3] == [2, "chưa có thông tin: 2"]
    comments = book["Góp ý"]
    formula = [row for row in comments.iter_rows() if row[5].value == '=HYPERLINK("http://x","y")']
    assert formula and formula[0][5].data_type == "s", "a citizen's text is never a formula"
    assert "chậm quá" in [row[5] for row in rows_of(comments)]


def test_pdf_has_a_unicode_font_and_an_image():
    report_pdf = pdf_bytes(build_report_for_empty_period())
    assert report_pdf.startswith(b"%PDF") and b"/Subtype /Image" in report_pdf
    assert b"DejaVu" in report_pdf
    assert plain("👍/👎 và 👎 Khó hiểu") == "Nút “hữu ích / chưa hữu ích” và Chưa hữu ích – Khó hiểu"


def build_report_for_empty_period():
    data = analytics.ReviewData(engine_for("sqlite://"))
    return build_report(data, previous_week(date(2026, 11, 25)), OFFICE, min_answers=10, now=NOW)


@pytest.mark.browser
def test_pdf_renders_with_its_title_and_a_chart(reviewed, tmp_path: Path):
    """Needs poppler-utils (make browser): the PDF as a reader shows it."""
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf_bytes(reviewed["report"]))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = re.sub(r"\s+", " ", text)
    assert TITLE in text and OFFICE in text and reviewed["period"].label in text
    assert "4,0 (1,5–5,0; n = 3)" in text, "the passport service's figure, as the services page writes it"
    assert "NGƯỜI LẬP BÁO CÁO" in text and "THỦ TRƯỞNG ĐƠN VỊ" in text
    subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / "p")], check=True)
    from PIL import Image

    [page] = list(tmp_path.glob("p-*.png"))
    raw = Image.open(page).convert("RGB").tobytes()
    coloured = sum(1 for i in range(0, len(raw), 3) if max(raw[i : i + 3]) - min(raw[i : i + 3]) > 80)
    assert coloured > 1500, f"the chart's bars should colour the first page ({coloured} coloured pixels)"
