"""Content checks an officer would otherwise do by hand, run over procedure records.

Errors (``make test`` fails on them): a legal basis that cites a document replaced by a newer
one (``superseded_documents.yml``). Warnings: a legal basis with neither number nor year ("Luật
Việc làm (hiện hành)"), a source that is a portal's home page, a record without its national
code, and records nobody has reviewed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Dict, Iterable, List
from urllib.parse import urlparse

import yaml

SUPERSEDED_FILE = Path(__file__).with_name("superseded_documents.yml")
ERROR, WARNING = "error", "warning"
# A citation names its document by number ("123/2015/NĐ-CP") or at least by year ("Luật Hộ tịch 2014").
_IDENTIFIED = re.compile(r"\d+/\d{4}|\b(19|20)\d{2}\b")


@dataclass(frozen=True)
class Superseded:
    cites: List[str]
    replaced_by: str
    since: date
    evidence: str


@dataclass(frozen=True)
class Finding:
    procedure_id: str
    severity: str
    field: str
    message: str


def load_superseded(path: Path = SUPERSEDED_FILE) -> List[Superseded]:
    """The replaced documents, as listed with their evidence."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [Superseded([c.lower() for c in e["cites"]], e["replaced_by"], e["since"], e["evidence"]) for e in entries]


def audit_record(record: Dict[str, Any], superseded: List[Superseded], today: date) -> List[Finding]:
    """Every finding for one record."""
    pid, findings = record["id"], []
    for position, citation in enumerate(record["legal_basis"]):
        lowered = citation.lower()
        for document in superseded:
            if document.since <= today and any(fragment in lowered for fragment in document.cites):
                findings.append(
                    Finding(
                        pid,
                        ERROR,
                        f"legal_basis.{position}",
                        f"cites {citation!r}, replaced by {document.replaced_by} since "
                        f"{document.since:%d/%m/%Y} ({document.evidence})",
                    )
                )
        if not _IDENTIFIED.search(citation):
            findings.append(
                Finding(pid, WARNING, f"legal_basis.{position}", f"{citation!r} names no document number or year")
            )
    if urlparse(record["source_url"]).path.strip("/") == "":
        findings.append(
            Finding(pid, WARNING, "source_url", f"{record['source_url']} is a home page, not the procedure's own page")
        )
    if not record.get("code"):
        findings.append(Finding(pid, WARNING, "code", "no national procedure code"))
    return findings


def audit(
    records: Iterable[Dict[str, Any]], today: date | None = None, superseded: List[Superseded] | None = None
) -> List[Finding]:
    """Findings for every record, errors first."""
    today = today or date.today()
    superseded = load_superseded() if superseded is None else superseded
    findings = [f for record in records for f in audit_record(record, superseded, today)]
    return sorted(findings, key=lambda f: (f.severity != ERROR, f.procedure_id, f.field))
