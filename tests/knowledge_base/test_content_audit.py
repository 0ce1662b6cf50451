"""The content audit: superseded citations fail, vague ones and home-page sources are flagged."""

import subprocess
import sys
from datetime import date

import yaml

from knowledge_base.content_audit import ERROR, WARNING, audit, load_superseded
from tests.conftest import ROOT


def _record(curated_records, pid, **changes):
    return dict(next(r for r in curated_records if r["id"] == pid), **changes)


def test_curated_records_cite_no_superseded_document(curated_records):
    assert [f for f in audit(curated_records) if f.severity == ERROR] == []


def test_a_replaced_law_is_an_error_from_the_day_it_is_replaced(curated_records):
    record = _record(curated_records, "quyet-toan-thue-tncn", legal_basis=["Luật Quản lý thuế 2019"])
    [error] = [f for f in audit([record], today=date(2026, 7, 1)) if f.severity == ERROR]
    assert error.field == "legal_basis.0" and "108/2025/QH15" in error.message
    assert not [f for f in audit([record], today=date(2026, 6, 30)) if f.severity == ERROR]


def test_vague_citations_home_pages_and_missing_codes_are_warnings(curated_records):
    record = _record(
        curated_records,
        "tam-vang",
        legal_basis=["Luật Cư trú (hiện hành)", "Luật Cư trú 2020"],
        source_url="https://dichvucong.gov.vn/",
        code=None,
    )
    warnings = {(f.field, f.severity) for f in audit([record])}
    assert warnings == {("legal_basis.0", WARNING), ("source_url", WARNING), ("code", WARNING)}


def test_every_superseded_entry_names_its_replacement_and_evidence():
    for entry in load_superseded():
        assert entry.cites and entry.replaced_by and entry.evidence and isinstance(entry.since, date)


def test_cli_fails_on_a_superseded_citation(tmp_path, curated_records):
    record = _record(curated_records, "tam-vang", legal_basis=["Thông tư 244/2016/TT-BTC"])
    (tmp_path / "tam-vang.yml").write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "knowledge_base", "audit", str(tmp_path)], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "error\ttam-vang\tlegal_basis.0" in result.stdout and "16/2025/TT-BTC" in result.stdout
