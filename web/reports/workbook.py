"""The report as an Excel workbook (XLSX): one sheet per view, Vietnamese headers, every figure with n and interval.

Figures are stored as numbers (shares as fractions formatted as percentages) so that an office can
compute with them; every sheet repeats the office, the period and when it was made, so a printed
sheet stands alone. Text from citizens is stored as text, never as a formula.
"""

from __future__ import annotations

import io
from typing import Any, Iterable, List, Optional, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from web.dashboard.analytics import (
    OTHER_CRITERIA,
    SATISFIED_FROM,
    AnswerQuality,
    ServiceEvaluation,
    safe_text,
)
from web.dashboard.statistics import Mean, Share
from web.dashboard.wording import (
    ANSWERS_TITLE,
    INTERVAL_NOTE,
    NO_INTENT,
    SELF_SELECTION_NOTE,
    SEPARATE_NOTE,
    SERVICES_TITLE,
    channel_label,
    criterion_label,
    group_label,
    intent_label,
    ranking_note,
    reason_label,
    vietnam_time,
)
from web.reports.figures import TITLE, Report

SHEETS = ("Tổng quan", "Theo dịch vụ", "Câu trả lời của trợ lý", "Theo kênh", "Câu hỏi chưa trả lời được", "Góp ý")
PERCENT, SCORE = "0%", "0.0"
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2E0E0")
INTERVAL_HEADERS = ["Cận dưới (95%)", "Cận trên (95%)"]


def _text(value: Any) -> Any:
    """A cell value: text made printable (openpyxl refuses control characters)."""
    return safe_text(value) if isinstance(value, str) else value


def _put(sheet: Worksheet, values: Sequence[Any], formats: Sequence[Optional[str]] = (), bold: bool = False) -> int:
    """Append one row; strings stay strings even when they look like a formula. Returns the row number."""
    sheet.append([None] * len(values))
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        cell.value = _text(value)
        if isinstance(cell.value, str):
            cell.data_type = "s"  # "=HYPERLINK(...)" typed by a citizen is text, not a formula
        fmt = formats[column - 1] if column - 1 < len(formats) else None
        if fmt:
            cell.number_format = fmt
        if bold:
            cell.font = BOLD
    return row


def _header(sheet: Worksheet, names: Sequence[str]) -> None:
    row = _put(sheet, names, bold=True)
    for column in range(1, len(names) + 1):
        cell = sheet.cell(row=row, column=column)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _heading(sheet: Worksheet, report: Report, subtitle: str) -> None:
    sheet.append([TITLE])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    for line in (
        f"Đơn vị: {report.office_name}",
        f"Kỳ báo cáo: {report.period.label}",
        f"Lập lúc: {vietnam_time(report.generated_at)} (giờ Việt Nam)",
        subtitle,
    ):
        _put(sheet, [line])
    sheet.cell(row=sheet.max_row, column=1).font = BOLD
    sheet.append([])


def _notes(sheet: Worksheet, notes: Iterable[str]) -> None:
    sheet.append([])
    for note in notes:
        _put(sheet, [note])


def _share(share: Share) -> List[Any]:
    return [share.value, share.low, share.high, share.n]


def _mean(mean: Mean) -> List[Any]:
    return [mean.value, mean.low, mean.high, mean.n]


def _widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


FIGURE_HEADERS = ["Chỉ số", "Giá trị", *INTERVAL_HEADERS, "Số lượt (n)", "Trình bày"]


def _overview(sheet: Worksheet, report: Report) -> None:
    evaluation = report.evaluation
    _heading(sheet, report, "Tổng quan")
    _header(sheet, FIGURE_HEADERS)
    totals = report.totals
    _put(sheet, ["Số cuộc trò chuyện", totals.conversations])
    _put(sheet, ["Số tin nhắn của người dân", totals.messages])
    _put(sheet, ["Tin nhắn chưa hiểu hoặc chưa trả lời được", totals.unanswered])
    _put(sheet, [ANSWERS_TITLE], bold=True)
    answers = evaluation.answers
    _put(
        sheet,
        ["Tỷ lệ câu trả lời được đánh giá hữu ích (👍)", *_share(answers.helpful), answers.helpful.text],
        [None, PERCENT, PERCENT, PERCENT],
    )
    _put(sheet, ["Số câu trả lời bị đánh giá chưa hữu ích (👎)", answers.not_helpful])
    for reason, count in answers.reasons:
        _put(sheet, [f"👎 – {reason_label(reason)}", count])
    _put(sheet, [SERVICES_TITLE], bold=True)
    service = evaluation.service
    _put(sheet, ["Điểm chung (1–5)", *_mean(service.overall), service.overall.text], [None, SCORE, SCORE, SCORE])
    _put(
        sheet,
        [f"Tỷ lệ hài lòng ({SATISFIED_FROM}–5 điểm)", *_share(service.satisfied), service.satisfied.text],
        [None, PERCENT, PERCENT, PERCENT],
    )
    for criterion in OTHER_CRITERIA:
        mean = service.criteria[criterion]
        _put(sheet, [f"{criterion_label(criterion)} (1–5)", *_mean(mean), mean.text], [None, SCORE, SCORE, SCORE])
    _notes(sheet, [INTERVAL_NOTE, SELF_SELECTION_NOTE, SEPARATE_NOTE])
    _widths(sheet, [52, 12, 15, 15, 12, 28])


def _services(sheet: Worksheet, report: Report) -> None:
    evaluation = report.evaluation
    _heading(sheet, report, SERVICES_TITLE)
    criteria_headers = [f"{criterion_label(c)}: {part}" for c in OTHER_CRITERIA for part in ("TB", "n")]
    _header(
        sheet,
        [
            "Lĩnh vực · cấp",
            "Hạng",
            "Mã thủ tục",
            "Thủ tục",
            "Số lượt (n)",
            "Điểm chung",
            *INTERVAL_HEADERS,
            f"Tỷ lệ hài lòng ({SATISFIED_FROM}–5)",
            *INTERVAL_HEADERS,
            *criteria_headers,
        ],
    )
    formats = [None, None, None, None, None, SCORE, SCORE, SCORE, PERCENT, PERCENT, PERCENT]
    formats += [SCORE, None] * len(OTHER_CRITERIA)
    for group in evaluation.service_groups:
        for item in [*group.ranked, *group.unranked]:
            _put(sheet, _service_row(report, group_label(group.field, group.level), item), formats)
    _notes(sheet, [ranking_note(evaluation.min_answers), INTERVAL_NOTE, SELF_SELECTION_NOTE])
    _widths(sheet, [30, 14, 14, 48, 11, 11, 13, 13, 13, 13, 13] + [12, 6] * len(OTHER_CRITERIA))


def _service_row(report: Report, group: str, item: ServiceEvaluation) -> List[Any]:
    rank = item.rank if item.rank is not None else "Chưa xếp hạng"
    criteria = [value for c in OTHER_CRITERIA for value in (item.criteria[c].value, item.criteria[c].n)]
    return [
        group,
        rank,
        item.key,
        report.procedure(item.key),
        item.answers,
        item.overall.value,
        item.overall.low,
        item.overall.high,
        item.satisfied.value,
        item.satisfied.low,
        item.satisfied.high,
        *criteria,
    ]


ANSWER_HEADERS = ["Số lượt đánh giá (n)", "👍", "👎", "Tỷ lệ hữu ích", *INTERVAL_HEADERS, "Lý do 👎"]
ANSWER_FORMATS = [None, None, None, None, PERCENT, PERCENT, PERCENT]


def _answer_row(label: str, item: AnswerQuality) -> List[Any]:
    reasons = "; ".join(f"{reason_label(reason)}: {count}" for reason, count in item.reasons)
    share = item.helpful
    return [label, share.n, share.k, item.not_helpful, share.value, share.low, share.high, reasons]


def _answers(sheet: Worksheet, report: Report) -> None:
    evaluation = report.evaluation
    _heading(sheet, report, ANSWERS_TITLE)
    _put(sheet, ["Theo thủ tục"], bold=True)
    _header(sheet, ["Thủ tục", *ANSWER_HEADERS])
    for item in evaluation.answers_by_procedure:
        _put(sheet, _answer_row(report.procedure(item.key), item), ANSWER_FORMATS)
    sheet.append([])
    _put(sheet, ["Theo ý định của câu hỏi"], bold=True)
    _header(sheet, ["Ý định", *ANSWER_HEADERS])
    for item in evaluation.answers_by_intent:
        _put(sheet, _answer_row(intent_label(item.key) or NO_INTENT, item), ANSWER_FORMATS)
    _notes(sheet, [INTERVAL_NOTE, SELF_SELECTION_NOTE, SEPARATE_NOTE])
    _widths(sheet, [48, 12, 8, 8, 13, 13, 13, 48])


def _channels(sheet: Worksheet, report: Report) -> None:
    evaluation = report.evaluation
    _heading(sheet, report, "Theo kênh")
    _put(sheet, [ANSWERS_TITLE], bold=True)
    _header(sheet, ["Kênh", *ANSWER_HEADERS])
    for item in evaluation.answers_by_channel:
        _put(sheet, _answer_row(channel_label(item.key), item), ANSWER_FORMATS)
    sheet.append([])
    _put(sheet, [SERVICES_TITLE], bold=True)
    _header(
        sheet,
        [
            "Kênh",
            "Số lượt (n)",
            "Điểm chung",
            *INTERVAL_HEADERS,
            f"Tỷ lệ hài lòng ({SATISFIED_FROM}–5)",
            *INTERVAL_HEADERS,
        ],
    )
    for item in evaluation.service_by_channel:
        _put(
            sheet,
            [channel_label(item.key), item.answers, *_mean(item.overall)[:3], *_share(item.satisfied)[:3]],
            [None, None, SCORE, SCORE, SCORE, PERCENT, PERCENT, PERCENT],
        )
    _notes(sheet, [INTERVAL_NOTE, SELF_SELECTION_NOTE, SEPARATE_NOTE])
    _widths(sheet, [28, 12, 12, 13, 13, 13, 13, 40])


def _unanswered(sheet: Worksheet, report: Report) -> None:
    _heading(sheet, report, "Câu hỏi chưa trả lời được (câu gần giống nhau đã gộp)")
    _header(sheet, ["Câu hỏi", "Số lần", "Lý do", "Gần nhất (giờ Việt Nam)"])
    for group in report.unanswered:
        reasons = "; ".join(f"{reason}: {count}" for reason, count in group.reasons.items())
        _put(sheet, [group.text, group.count, reasons, vietnam_time(group.last_seen)])
    _widths(sheet, [60, 9, 40, 22])


def _comments(sheet: Worksheet, report: Report) -> None:
    _heading(sheet, report, "Góp ý của người dân kèm đánh giá 👎 (đã che thông tin cá nhân)")
    _header(sheet, ["Thời điểm (giờ Việt Nam)", "Kênh", "Thủ tục", "Ý định", "Lý do", "Góp ý"])
    for row in report.comments:
        _put(
            sheet,
            [
                vietnam_time(row.created_at),
                channel_label(row.channel),
                report.procedure(row.procedure_id or ""),
                intent_label(row.intent),
                reason_label(row.reason),
                row.comment,
            ],
        )
    _widths(sheet, [20, 18, 40, 24, 24, 70])


def workbook_bytes(report: Report) -> bytes:
    """The report as an XLSX file."""
    book = Workbook()
    builders = (_overview, _services, _answers, _channels, _unanswered, _comments)
    for index, (title, build) in enumerate(zip(SHEETS, builders)):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        build(sheet, report)
    book.properties.title = f"{TITLE} – {report.period.label}"
    book.properties.creator = report.office_name
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
