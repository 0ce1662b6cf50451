"""The report as a PDF an office can print, sign and file: heading, summary, charts, tables, signatures.

Text is set in DejaVu Sans, which matplotlib ships (mpl-data/fonts/ttf) and which covers every
Vietnamese letter, so no font has to be installed. Charts are drawn by matplotlib's Agg renderer
through ``Figure`` directly (no pyplot state: the dashboard renders reports in worker threads).
DejaVu has no emoji, so 👍/👎 are written out in words.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from web.dashboard.analytics import OTHER_CRITERIA, SATISFIED_FROM, ServiceEvaluation
from web.dashboard.statistics import decimal, percent
from web.dashboard.wording import (
    ANSWERS_TITLE,
    INTERVAL_NOTE,
    SELF_SELECTION_NOTE,
    SEPARATE_NOTE,
    SERVICES_TITLE,
    channel_label,
    criterion_label,
    group_label,
    ranking_note,
    reason_label,
)
from web.reports.figures import TITLE, Report

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
CHART_ROWS = 12
UNANSWERED_ROWS = 15
NAME_CHARS = 48
DARK_RED, BLUE, GREY = "#8f0000", "#0b57d0", "#5f6368"
HEADING_FILL = (242, 224, 224)
# what DejaVu cannot draw, in words; the longest first
IN_WORDS = (
    ("👍/👎", "Nút “hữu ích / chưa hữu ích”"),
    ("👎 ", "Chưa hữu ích – "),
    ("👍", "“hữu ích”"),
    ("👎", "“chưa hữu ích”"),
)


def plain(text: str) -> str:
    """Text the PDF font can draw: composed (NFC) Vietnamese, emoji in words."""
    for symbol, words in IN_WORDS:
        text = text.replace(symbol, words)
    return unicodedata.normalize("NFC", text)


def _short(text: str, limit: int = NAME_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _vietnamese_axis(percent_axis: bool) -> FuncFormatter:
    if percent_axis:
        return FuncFormatter(lambda value, _: percent(value))
    return FuncFormatter(lambda value, _: decimal(value))


def interval_chart(
    title: str, rows: Sequence[Tuple[str, Optional[float], Optional[float], Optional[float], int]], percent_axis: bool
) -> bytes:
    """A horizontal bar per (label, value, low, high, n), with its 95% interval as an error bar; PNG."""
    figure = Figure(figsize=(7.2, 0.3 * max(len(rows), 2) + 1.1), dpi=150)
    axes = figure.subplots()
    axes.set_title(title, fontsize=10, loc="left")
    shown = [row for row in rows if row[1] is not None]
    if not shown:
        axes.text(0.5, 0.5, "Chưa có dữ liệu trong kỳ này", ha="center", va="center", fontsize=10, color=GREY)
        axes.set_axis_off()
    else:
        labels = [f"{_short(label)} (n = {n})" for label, _value, _low, _high, n in shown][::-1]
        values = [value for _label, value, _low, _high, _n in shown][::-1]
        below = [value - low if low is not None else 0 for _label, value, low, _high, _n in shown][::-1]
        above = [high - value if high is not None else 0 for _label, value, _low, high, _n in shown][::-1]
        positions = range(len(shown))
        axes.barh(positions, values, color=BLUE if percent_axis else DARK_RED, height=0.6)
        axes.errorbar(values, positions, xerr=[below, above], fmt="none", ecolor="#1f1f1f", capsize=3, linewidth=1)
        axes.set_yticks(list(positions), labels, fontsize=7)
        axes.set_xlim(0, 1) if percent_axis else axes.set_xlim(1, 5)
        axes.xaxis.set_major_formatter(_vietnamese_axis(percent_axis))
        axes.tick_params(axis="x", labelsize=7)
        axes.grid(axis="x", color="#e0e0e0")
        axes.set_axisbelow(True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def services_chart(report: Report) -> bytes:
    """The most answered services' mean overall score with its interval."""
    items = sorted(
        (item for group in report.evaluation.service_groups for item in [*group.ranked, *group.unranked]),
        key=lambda item: (-item.answers, item.key),
    )[:CHART_ROWS]
    rows = [
        (report.procedure(i.key), i.overall.value, i.overall.low, i.overall.high, i.answers) for i in items if i.answers
    ]
    return interval_chart("Điểm chung của dịch vụ (1–5) và khoảng tin cậy 95%", rows, percent_axis=False)


def answers_chart(report: Report) -> bytes:
    """The most rated procedures' share of helpful answers with its interval."""
    rows = [
        (report.procedure(i.key), i.helpful.value, i.helpful.low, i.helpful.high, i.helpful.n)
        for i in report.evaluation.answers_by_procedure[:CHART_ROWS]
    ]
    return interval_chart("Tỷ lệ câu trả lời được đánh giá hữu ích và khoảng tin cậy 95%", rows, percent_axis=True)


class _Document(FPDF):
    """A4 pages with the report's name and page number in the footer."""

    def __init__(self, report: Report) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report = report
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font(FONT, "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title(f"{TITLE} – {report.period.label}")
        self.set_author(report.office_name)
        self.set_creator("Trợ lý dịch vụ công")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 7)
        self.set_text_color(95, 99, 104)
        self.cell(0, 5, plain(f"{TITLE} – {self.report.period.label} – Trang {self.page_no()}/{{nb}}"), align="C")
        self.set_text_color(0, 0, 0)

    # ---- building blocks ----------------------------------------------------------------------
    def text_line(self, text: str, size: float = 10, style: str = "", align: str = "L", height: float = 5.5) -> None:
        self.set_font(FONT, style, size)
        self.multi_cell(0, height, plain(text), align=align, new_x="LMARGIN", new_y="NEXT")

    def section(self, text: str) -> None:
        self.ln(3)
        self.text_line(text, size=12, style="B", height=7)
        self.ln(1)

    def note(self, text: str) -> None:
        self.set_text_color(60, 60, 60)
        self.text_line(text, size=8, style="I", height=4.2)
        self.set_text_color(0, 0, 0)
        self.ln(1)

    def grid(self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> None:
        self.set_font(FONT, "", 8)
        heading = FontFace(emphasis="BOLD", fill_color=HEADING_FILL)
        with self.table(
            col_widths=tuple(widths), headings_style=heading, line_height=4.6, text_align="LEFT", width=sum(widths)
        ) as table:
            table.row([plain(cell) for cell in header])
            for cells in rows:
                table.row([plain(cell) for cell in cells])
        self.ln(2)

    def chart(self, png: bytes) -> None:
        self.image(io.BytesIO(png), w=self.epw)
        self.ln(2)


def _heading(pdf: _Document, report: Report) -> None:
    half = pdf.epw / 2
    top = pdf.get_y()
    pdf.set_font(FONT, "B", 9)
    pdf.multi_cell(half - 4, 5, plain(report.office_name.upper()), align="C", new_x="RIGHT", new_y="TOP")
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.multi_cell(half, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + half)
    pdf.multi_cell(half, 5, "Độc lập – Tự do – Hạnh phúc", align="C", new_x="LMARGIN", new_y="NEXT")
    made = report.generated_at
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font(FONT, "I", 9)
    pdf.multi_cell(
        half, 6, f"Ngày {made.day:02d} tháng {made.month:02d} năm {made.year}", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(5)
    pdf.text_line(TITLE, size=15, style="B", align="C", height=8)
    pdf.text_line(f"Kỳ báo cáo: {report.period.label}", size=10, align="C")
    pdf.text_line(f"Đơn vị: {report.office_name}", size=10, align="C")
    pdf.text_line(f"Lập lúc {made:%H:%M} ngày {made:%d/%m/%Y} (giờ Việt Nam)", size=8, align="C")
    pdf.ln(2)


def _summary(pdf: _Document, report: Report) -> None:
    evaluation, totals = report.evaluation, report.totals
    service, answers = evaluation.service, evaluation.answers
    rows: List[Tuple[str, str]] = [
        ("Số cuộc trò chuyện", f"{totals.conversations}"),
        ("Số tin nhắn của người dân", f"{totals.messages}"),
        ("Tin nhắn chưa hiểu hoặc chưa trả lời được", f"{totals.unanswered}"),
        (f"{SERVICES_TITLE}: điểm chung (1–5)", service.overall.text),
        (f"Tỷ lệ hài lòng với dịch vụ ({SATISFIED_FROM}–5 điểm)", service.satisfied.text),
        *((f"{criterion_label(c)} (1–5)", service.criteria[c].text) for c in OTHER_CRITERIA),
        (f"{ANSWERS_TITLE}: tỷ lệ câu trả lời hữu ích", answers.helpful.text),
        *((f"Lý do chưa hữu ích: {reason_label(reason)}", f"{count}") for reason, count in answers.reasons),
    ]
    pdf.section("1. Tổng quan")
    pdf.grid(["Chỉ số", "Kết quả"], rows, [104, 70])
    for text in (INTERVAL_NOTE, SELF_SELECTION_NOTE, SEPARATE_NOTE):
        pdf.note(text)


def _services(pdf: _Document, report: Report) -> None:
    evaluation = report.evaluation
    pdf.section(f"2. {SERVICES_TITLE}")
    pdf.chart(services_chart(report))
    pdf.note(ranking_note(evaluation.min_answers))
    rows = []
    for group in evaluation.service_groups:
        for item in [*group.ranked, *group.unranked]:
            rows.append(_service_cells(report, group_label(group.field, group.level), item))
    if rows:
        pdf.grid(
            ["Lĩnh vực · cấp", "Hạng", "Thủ tục", "Điểm chung", f"Hài lòng ({SATISFIED_FROM}–5)"],
            rows,
            [34, 22, 46, 38, 34],
        )
    else:
        pdf.text_line("Chưa có phiếu đánh giá dịch vụ trong kỳ này.", size=9)


def _service_cells(report: Report, group: str, item: ServiceEvaluation) -> List[str]:
    rank = str(item.rank) if item.rank is not None else "chưa xếp hạng"
    return [group, rank, report.procedure(item.key), item.overall.text, item.satisfied.text]


def _answers(pdf: _Document, report: Report) -> None:
    evaluation = report.evaluation
    pdf.section(f"3. {ANSWERS_TITLE}")
    pdf.chart(answers_chart(report))
    rows = [
        [
            report.procedure(item.key),
            item.helpful.text,
            "; ".join(f"{reason_label(reason)}: {count}" for reason, count in item.reasons) or "–",
        ]
        for item in evaluation.answers_by_procedure
    ]
    if rows:
        pdf.grid(["Thủ tục", "Tỷ lệ hữu ích", "Lý do chưa hữu ích"], rows, [70, 44, 60])


def _channels(pdf: _Document, report: Report) -> None:
    evaluation = report.evaluation
    pdf.section("4. Theo kênh")
    answers = {item.key: item for item in evaluation.answers_by_channel}
    services = {item.key: item for item in evaluation.service_by_channel}
    rows = [
        [
            channel_label(channel),
            answers[channel].helpful.text if channel in answers else "–",
            services[channel].overall.text if channel in services else "–",
        ]
        for channel in sorted(set(answers) | set(services))
    ]
    if rows:
        pdf.grid(["Kênh", "Câu trả lời hữu ích (trợ lý)", "Điểm chung của dịch vụ (1–5)"], rows, [50, 62, 62])
    else:
        pdf.text_line("Chưa có đánh giá trong kỳ này.", size=9)


def _unanswered(pdf: _Document, report: Report) -> None:
    pdf.section("5. Câu hỏi chưa trả lời được")
    rows = [
        [group.text, str(group.count), "; ".join(f"{reason}: {count}" for reason, count in group.reasons.items())]
        for group in report.unanswered[:UNANSWERED_ROWS]
    ]
    if rows:
        pdf.grid(["Câu hỏi (câu gần giống nhau đã gộp)", "Số lần", "Lý do"], rows, [104, 16, 54])
        if len(report.unanswered) > UNANSWERED_ROWS:
            pdf.note(f"{len(report.unanswered) - UNANSWERED_ROWS} câu khác: xem tệp Excel kèm theo.")
    else:
        pdf.text_line("Không có câu hỏi nào chưa trả lời được trong kỳ này.", size=9)


def _signatures(pdf: _Document) -> None:
    if pdf.will_page_break(40):
        pdf.add_page()
    pdf.ln(8)
    half = pdf.epw / 2
    top = pdf.get_y()
    for index, (who, hint) in enumerate(
        (("NGƯỜI LẬP BÁO CÁO", "(Ký, ghi rõ họ tên)"), ("THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)"))
    ):
        pdf.set_xy(pdf.l_margin + index * half, top)
        pdf.set_font(FONT, "B", 10)
        pdf.multi_cell(half, 6, who, align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_font(FONT, "I", 8)
        pdf.multi_cell(half, 5, hint, align="C", new_x="LEFT", new_y="NEXT")


def pdf_bytes(report: Report) -> bytes:
    """The report as a PDF file."""
    pdf = _Document(report)
    pdf.alias_nb_pages()
    pdf.add_page()
    _heading(pdf, report)
    _summary(pdf, report)
    _services(pdf, report)
    _answers(pdf, report)
    _channels(pdf, report)
    _unanswered(pdf, report)
    _signatures(pdf)
    return bytes(pdf.output())
