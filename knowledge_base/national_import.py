"""Convert records from the national procedure database's detail export to our schema.

The export (one JSON file per procedure, keys in Vietnamese) is described in
../shared/datasets/README.md. Missing values appear as "Không có thông tin" or "";
they become an explicit "see the source" text rather than invented content.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, List, Optional

from knowledge_base.schema import validate_record

# The portal's own page for a procedure is addressed by an internal id the export does not
# carry; its search by national code lands on that procedure (the /p/home/ pages of the old
# portal no longer exist).
NATIONAL_CODE_SEARCH_URL = "https://dichvucong.gov.vn/tim-kiem-thu-tuc-hanh-chinh?keyword={code}"
UNKNOWN = "Không có thông tin trong dữ liệu gốc; xem trang nguồn."
_EMPTY = {"", "không có thông tin", "không"}
# The export says "Trực tuyến" without saying whether the whole procedure is online: keep its word.
_CHANNELS = {"trực tiếp": "trực tiếp", "trực tuyến": "trực tuyến", "dịch vụ bưu chính": "bưu chính"}
_STEP_SPLIT = re.compile(r"\s*(?=Bước \d+\s*[:.])")
_FORM_FILE = re.compile(r"\.(docx?|pdf|xlsx?)$", re.IGNORECASE)
# Where an official name's qualifiers start: who it is for, which body decides, when.
_QUALIFIER = re.compile(
    r"\s+(?:đối với|thuộc thẩm quyền|do\s|khi\s|tại\s|theo\s|trong trường hợp|của\s)|\s*[(;]|,\s",
    re.IGNORECASE,
)
_ZERO_FEE = re.compile(r"^(phí|lệ phí)?\s*:?\s*0\s*đồng$", re.IGNORECASE)


class NationalRecordError(ValueError):
    """A national record that cannot be converted."""


def _text(value: Any) -> Optional[str]:
    if not isinstance(value, str):
        return None
    cleaned = " ".join(value.split())
    return None if cleaned.lower() in _EMPTY else cleaned


def _level(raw: str) -> str:
    lowered = raw.lower()
    if "xã" in lowered or "huyện" in lowered:
        # Since 1 July 2025 there is no district level; its tasks moved to communes.
        return "cấp xã"
    if "tỉnh" in lowered:
        return "cấp tỉnh"
    return "trung ương"


def _documents(rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    documents = []
    for row in rows:
        name = _text(row.get("ten_giay_to"))
        if not name:
            continue
        document: Dict[str, Any] = {"name": name.lstrip("- ").strip() or name}
        counts = dict(re.findall(r"(Bản chính|Bản sao):\s*(\d+)", row.get("ghi_chu") or ""))
        originals, copies = int(counts.get("Bản chính", 0)), int(counts.get("Bản sao", 0))
        if originals and copies:
            document["copy"] = "bản chính hoặc bản sao"
        elif originals or copies:
            document["copy"] = "bản chính" if originals else "bản sao"
            document["count"] = originals or copies
        form = _text(row.get("so_luong"))
        if form and _FORM_FILE.search(form):
            document["form"] = form
        documents.append(document)
    return documents or [{"name": UNKNOWN}]


def _fees(rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    fees: List[Dict[str, Any]] = []
    seen = set()
    for row in rows:
        text = _text(row.get("phi_le_phi"))
        if not text or text in seen:
            continue
        seen.add(text)
        channel = _text(row.get("hinh_thuc")) or ""
        fee: Dict[str, Any] = {"description": f"{channel}: {text}" if channel else text}
        fee["amount"] = 0 if _ZERO_FEE.match(text) else None
        fees.append(fee)
    return fees or [{"description": UNKNOWN, "amount": None}]


def _processing_time(rows: List[Dict[str, Any]]) -> str:
    parts = []
    for row in rows:
        deadline = _text(row.get("thoi_han_giai_quyet"))
        channel = _text(row.get("hinh_thuc"))
        if deadline:
            parts.append(f"{channel}: {deadline}" if channel else deadline)
    return "; ".join(dict.fromkeys(parts)) or UNKNOWN


def short_alias(name: str) -> Optional[str]:
    """What a citizen would call a long official name: the act and its object, without the
    qualifiers that follow ("cấp phép bay đối với tàu bay không người lái ..." -> "cấp phép bay").

    None when the name is already short or the head would be too vague (under three words).
    """
    head = _QUALIFIER.split(name, maxsplit=1)[0].strip(" ,;")
    if head == name.strip() or len(head.split()) < 3:
        return None
    return head


def convert(raw: Dict[str, Any]) -> Dict[str, Any]:
    """One national record as a validated procedure record (unreviewed: nobody has checked it yet)."""
    try:
        meta, content, tables = raw["metadata"], raw["content"], raw["tables"]
        code = _text(meta["mã_thủ_tục"]) or _text(raw.get("thu_tuc_id"))
        name = _text(meta["tên_thủ_tục"])
    except (KeyError, TypeError) as exc:
        raise NationalRecordError(f"missing key {exc}") from exc
    if not code or not name:
        raise NationalRecordError("missing mã_thủ_tục or tên_thủ_tục")
    channels = [
        _CHANNELS[kind]
        for kind in dict.fromkeys((_text(r.get("hinh_thuc")) or "").lower() for r in tables.get("hinh_thuc_nop", []))
        if kind in _CHANNELS
    ]
    short_name = re.sub(r"^thủ tục\s+", "", name, flags=re.IGNORECASE)
    keywords = [k.strip() for k in (_text(content.get("từ_khóa")) or "").split(",") if k.strip()]
    head = short_alias(short_name)
    steps_text = _text(content.get("trình_tự_thực_hiện"))
    decision = _text(meta.get("số_quyết_định"))
    legal = [
        " ".join(filter(None, [_text(r.get("so_ky_hieu")), _text(r.get("trich_yeu"))]))
        for r in tables.get("can_cu_phap_ly", [])
    ]
    record = {
        "id": code,
        "code": code,
        "name": name,
        "aliases": list(dict.fromkeys([short_name, *([head] if head else []), *keywords])),
        "field": _text(meta.get("lĩnh_vực")) or UNKNOWN,
        "agency": _text(content.get("cơ_quan_thực_hiện")) or UNKNOWN,
        "level": _level(meta.get("cấp_thực_hiện") or ""),
        "channels": channels or ["trực tiếp"],
        "online_url": None,
        "documents": _documents(tables.get("thanh_phan_ho_so", [])),
        "fees": _fees(tables.get("hinh_thuc_nop", [])),
        "processing_time": _processing_time(tables.get("hinh_thuc_nop", [])),
        "steps": [s for s in _STEP_SPLIT.split(steps_text) if s] if steps_text else [UNKNOWN],
        "eligibility": _text(content.get("yêu_cầu_điều_kiện_thực_hiện"))
        or _text(content.get("đối_tượng_thực_hiện"))
        or UNKNOWN,
        "result": _text(content.get("kết_quả_thực_hiện")) or UNKNOWN,
        "legal_basis": [item for item in legal if item] + ([decision] if decision else []) or [UNKNOWN],
        "source_url": NATIONAL_CODE_SEARCH_URL.format(code=code),
    }
    return validate_record(record, f"national record {code}")


def read_national_file(path: Path) -> Dict[str, Any]:
    """Read and convert one exported JSON file."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NationalRecordError(f"cannot read JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise NationalRecordError("expected a JSON object")
    return convert(raw)
