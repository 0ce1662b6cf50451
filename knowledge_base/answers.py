"""Chat-sized Vietnamese answers composed from a procedure record.

The field the citizen asked about comes first; every answer ends with the
official source and, when a person has reviewed the record, the date of that review.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Dict, List, Optional, Tuple

from core.contract import Field
from knowledge_base.reviews import Review
from knowledge_base.tables import IMPORTED_ORIGIN

MAX_LIST_ITEMS = 8

# The other fields an answer offers next, with their button titles.
FIELD_CHOICES: List[Tuple[str, str]] = [
    (Field.DOCUMENTS, "Hồ sơ"),
    (Field.FEE, "Lệ phí"),
    (Field.PROCESSING_TIME, "Thời gian"),
    (Field.AGENCY, "Nơi nộp"),
    (Field.ONLINE, "Làm trực tuyến"),
]


@dataclass(frozen=True)
class Answer:
    """The text of one answer and the other fields to offer after it, as (field, title)."""

    text: str
    next_fields: List[Tuple[str, str]] = field(default_factory=list)


def format_number(value: int) -> str:
    """12000 -> '12.000' (Vietnamese thousands separator)."""
    return f"{value:,}".replace(",", ".")


def format_vnd(amount: int) -> str:
    """200000 -> '200.000 đồng'."""
    return format_number(amount) + " đồng"


def _fee_value(fee: Dict[str, Any]) -> str | None:
    amount = fee.get("amount")
    if amount == 0:
        return "miễn phí"
    return format_vnd(amount) if isinstance(amount, int) else None


def _fee_line(fee: Dict[str, Any]) -> str:
    value = _fee_value(fee)
    parts = [f"{fee['description']}: {value}" if value else fee["description"]]
    parts.extend(fee[key] for key in ("exempt", "note", "online_discount") if fee.get(key))
    return ". ".join(part.rstrip(".") for part in parts) + "."


def _bullets(items: List[str], numbered: bool = False) -> str:
    shown = items[:MAX_LIST_ITEMS]
    lines = [f"{i}. {item}" if numbered else f"• {item}" for i, item in enumerate(shown, 1)]
    if len(items) > len(shown):
        lines.append(f"… và {len(items) - len(shown)} mục khác, xem đầy đủ tại nguồn.")
    return "\n".join(lines)


def _document_line(document: Dict[str, Any]) -> str:
    details = [document[key] for key in ("copy",) if document.get(key)]
    if document.get("count"):
        details.append(f"{document['count']} bản")
    line = document["name"]
    if details:
        line += f" ({', '.join(details)})"
    if document.get("form"):
        line += f"; mẫu: {document['form']}"
    return line


def _online_text(record: Dict[str, Any]) -> str:
    channels = record["channels"]
    online = [c for c in channels if c.startswith("trực tuyến")]
    url = record.get("online_url") or record["source_url"]
    if not online:
        return f"Thủ tục này hiện chưa nộp trực tuyến được; bạn nộp {', '.join(channels)} tại: {record['agency']}."
    if "trực tuyến toàn trình" in online:
        kind = "Có, thủ tục này làm trực tuyến toàn trình (không phải đến cơ quan)."
    elif "trực tuyến một phần" in online:
        kind = "Có, thủ tục này làm trực tuyến một phần (vẫn cần đến cơ quan để hoàn tất)."
    else:
        kind = "Có, thủ tục này nộp trực tuyến được; trang nguồn cho biết có cần đến cơ quan hay không."
    return f"{kind} Nộp tại: {url}\nCác cách nộp: {', '.join(channels)}."


def _overview(record: Dict[str, Any]) -> str:
    fees = "; ".join(f"{fee['description']}: {_fee_value(fee) or 'xem mục Lệ phí'}" for fee in record["fees"][:2])
    online = "có" if any(c.startswith("trực tuyến") for c in record["channels"]) else "chưa"
    return (
        f"Nơi thực hiện: {record['agency']}.\n"
        f"Thời gian: {record['processing_time']}\n"
        f"Lệ phí: {fees}.\n"
        f"Làm trực tuyến: {online}.\n"
        "Bạn muốn xem chi tiết phần nào?"
    )


_BODIES: Dict[str, tuple] = {
    Field.DOCUMENTS: ("Hồ sơ cần chuẩn bị", lambda r: _bullets([_document_line(d) for d in r["documents"]])),
    Field.FEE: ("Lệ phí", lambda r: _bullets([_fee_line(f) for f in r["fees"]])),
    Field.PROCESSING_TIME: ("Thời gian giải quyết", lambda r: r["processing_time"]),
    Field.AGENCY: ("Nơi nộp hồ sơ", lambda r: f"{r['agency']} ({r['level']})."),
    Field.STEPS: ("Các bước thực hiện", lambda r: _bullets(r["steps"], numbered=True)),
    Field.ONLINE: ("Làm trực tuyến", _online_text),
    Field.ELIGIBILITY: ("Đối tượng, điều kiện", lambda r: r["eligibility"]),
    Field.SUMMARY: ("Tóm tắt", _overview),
}


def field_title(field_name: str) -> str:
    """The heading an answer about ``field_name`` starts with ("Lệ phí", "Hồ sơ cần chuẩn bị", ...)."""
    return _BODIES.get(field_name, _BODIES[Field.SUMMARY])[0]


def official_source_line(url: str, reviewed_on: Optional[date] = None) -> str:
    """The line that closes an answer: its official source, and the day a person checked it (if anyone did)."""
    if reviewed_on is None:
        return f"Nguồn chính thức: {url} (chưa được cán bộ đối chiếu, vui lòng kiểm tra trang nguồn)"
    return f"Nguồn chính thức: {url} (cán bộ đã đối chiếu ngày {reviewed_on:%d/%m/%Y})"


def source_line(record: Dict[str, Any], review: Optional[Review] = None) -> str:
    """The official source that closes every answer, and whether a person has checked the record.

    A date is shown only for a recorded review (knowledge_base/reviews.py); imported records say
    where they come from and that nobody has reviewed them yet."""
    if record.get("origin") == IMPORTED_ORIGIN and review is None:
        return f"Nguồn: Cơ sở dữ liệu quốc gia về thủ tục hành chính, {record['source_url']} (chưa được cán bộ rà soát)"
    return official_source_line(record["source_url"], review.reviewed_on if review else None)


def compose_answer(record: Dict[str, Any], field_name: str, review: Optional[Review] = None) -> Answer:
    """The answer about ``field_name`` of ``record``, with the other fields to offer next."""
    title, body = _BODIES.get(field_name, _BODIES[Field.SUMMARY])
    render: Callable[[Dict[str, Any]], str] = body
    text = f"{title} – {record['name']}:\n{render(record)}\n{source_line(record, review)}"
    return Answer(text, [(other, label) for other, label in FIELD_CHOICES if other != field_name])
