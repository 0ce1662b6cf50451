"""The procedure record schema and its validation, with errors naming file and field."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List

import jsonschema
import yaml

LEVELS = ["cấp xã", "cấp tỉnh", "trung ương"]
# "trực tuyến" alone: online, but the source does not say whether fully (imported records).
CHANNELS = ["trực tiếp", "trực tuyến toàn trình", "trực tuyến một phần", "trực tuyến", "bưu chính"]

# What a walkthrough checks before the first step: a level-2 VNeID account, scans of the
# documents, a way to pay online.
ONLINE_NEEDS = ["vneid_level2", "scans", "payment"]

_TEXT = {"type": "string", "minLength": 1}
_TEXT_LIST = {"type": "array", "items": _TEXT, "minItems": 1}
# Who checked a record, against which official source, on which day (procedures and guide entries).
REVIEWS_SCHEMA: Dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["date", "by", "against"],
        "properties": {
            "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
            "by": _TEXT,
            "against": _TEXT,
        },
    },
}
# For the reviewer: the pages facts come from, with a short quote.
EVIDENCE_SCHEMA: Dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["url"],
        "properties": {"url": {"type": "string", "pattern": r"^https?://"}, "quote": _TEXT},
    },
}

PROCEDURE_SCHEMA: Dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "id",
        "name",
        "aliases",
        "field",
        "agency",
        "level",
        "channels",
        "documents",
        "fees",
        "processing_time",
        "steps",
        "eligibility",
        "result",
        "legal_basis",
        "source_url",
    ],
    "properties": {
        "id": {"type": "string", "pattern": r"^([a-z0-9]+(-[a-z0-9]+)*|\d+\.\d{6})$"},
        "code": {"type": ["string", "null"], "pattern": r"^\d+\.\d{6}$"},
        "name": _TEXT,
        "aliases": {"type": "array", "items": _TEXT},
        # What citizens also say, but that names something else too ("nhập khẩu" is also
        # "import"): never answered on its own, the citizen is asked to confirm.
        "ambiguous_aliases": {"type": "array", "items": _TEXT},
        "field": _TEXT,
        "agency": _TEXT,
        "level": {"enum": LEVELS},
        "channels": {"type": "array", "items": {"enum": CHANNELS}, "minItems": 1, "uniqueItems": True},
        "online_url": {"type": ["string", "null"], "pattern": r"^https://"},
        "documents": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {
                    "name": _TEXT,
                    "copy": {"enum": ["bản chính", "bản sao", "bản chính hoặc bản sao", "xuất trình"]},
                    "count": {"type": "integer", "minimum": 1},
                    "form": _TEXT,
                },
            },
        },
        "fees": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["description"],
                "properties": {
                    "description": _TEXT,
                    "amount": {"type": ["integer", "null"], "minimum": 0},
                    "exempt": _TEXT,
                    "online_discount": _TEXT,
                    "note": _TEXT,
                },
            },
        },
        "processing_time": _TEXT,
        "steps": _TEXT_LIST,
        "eligibility": _TEXT,
        "result": _TEXT,
        "legal_basis": _TEXT_LIST,
        "source_url": {"type": "string", "pattern": r"^https://"},
        # How to do it online, one step at a time (the walkthrough): where, what the citizen needs
        # first, and for each step the guide entry to offer when it fails.
        "online_steps": {
            "type": "object",
            "additionalProperties": False,
            "required": ["portal", "needs", "steps"],
            "properties": {
                "portal": {"type": "string", "pattern": r"^https://"},
                "needs": {"type": "array", "items": {"enum": ONLINE_NEEDS}, "uniqueItems": True},
                "steps": {
                    "type": "array",
                    "minItems": 2,
                    "maxItems": 10,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["text"],
                        "properties": {
                            "text": {"type": "string", "minLength": 1, "maxLength": 200},
                            "help": {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$"},
                        },
                    },
                },
                "evidence": EVIDENCE_SCHEMA,
            },
        },
        # Reviews recorded in the repository: who checked the record, against which official
        # source, on which day. Officers record theirs in the dashboard (knowledge_base/reviews.py).
        "reviews": REVIEWS_SCHEMA,
    },
}


class ContentError(ValueError):
    """A content file (procedure record or guide entry) that does not satisfy its schema."""

    def __init__(self, source: str, field: str, message: str) -> None:
        super().__init__(f"{source}: field '{field}': {message}")
        self.source = source
        self.field = field


def with_iso_review_dates(record: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of ``record`` whose review dates (YAML reads them as dates) are ISO strings."""
    record = dict(record)
    if isinstance(record.get("reviews"), list):
        record["reviews"] = [
            dict(review, date=review["date"].isoformat())
            if isinstance(review, dict) and isinstance(review.get("date"), date)
            else review
            for review in record["reviews"]
        ]
    return record


def check_schema(schema: Dict[str, Any], record: Dict[str, Any], source: str) -> None:
    """Raise a ContentError naming the file and field of the first place ``record`` breaks ``schema``,
    and for a review dated in the future."""
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(record), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        field = ".".join(str(part) for part in first.absolute_path) or "(root)"
        if first.validator == "required":
            field = first.message.split("'")[1]
        raise ContentError(source, field, first.message)
    for position, review in enumerate(record.get("reviews", [])):
        try:
            reviewed = date.fromisoformat(review["date"])
        except ValueError as exc:
            raise ContentError(source, f"reviews.{position}.date", str(exc)) from exc
        if reviewed > date.today():
            raise ContentError(source, f"reviews.{position}.date", "a review cannot be dated in the future")


def validate_record(record: Any, source: str, schema: Dict[str, Any] = PROCEDURE_SCHEMA) -> Dict[str, Any]:
    """Validate one record against ``schema`` (a procedure's by default); return it with review dates
    as ISO strings."""
    if not isinstance(record, dict):
        raise ContentError(source, "(root)", "expected a mapping of fields")
    record = with_iso_review_dates(record)
    check_schema(schema, record, source)
    return record


# libyaml's safe loader when PyYAML has it (twenty times faster; same results), else PyYAML's own.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_record(path: Path, schema: Dict[str, Any] = PROCEDURE_SCHEMA) -> Dict[str, Any]:
    """Read and validate one YAML content file against ``schema``; its id must match the file name."""
    try:
        record = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise ContentError(str(path), "(file)", f"not valid YAML: {exc}") from exc
    record = validate_record(record, str(path), schema)
    if record["id"] != path.stem:
        raise ContentError(str(path), "id", f"'{record['id']}' does not match the file name '{path.stem}'")
    return record


def load_file(path: Path) -> Dict[str, Any]:
    """Read and validate one YAML procedure file; its id must match the file name."""
    return read_record(path)


def load_directory(directory: Path) -> List[Dict[str, Any]]:
    """Every procedure file in ``directory``, validated, sorted by id."""
    return [load_file(path) for path in sorted(directory.glob("*.yml"))]


def collect_errors(paths: Iterable[Path], load: Callable[[Path], Any]) -> List[ContentError]:
    """Load every file with ``load`` and collect every error instead of stopping at the first."""
    problems: List[ContentError] = []
    for path in paths:
        try:
            load(path)
        except ContentError as exc:
            problems.append(exc)
    return problems


def iter_errors(paths: Iterable[Path]) -> List[ContentError]:
    """Every error of the procedure files ``paths``."""
    return collect_errors(paths, load_file)
