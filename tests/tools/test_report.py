"""``python -m tools report``: what cron runs on Monday morning and on the 1st."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from tests.conftest import ROOT
from tests.web.dashboard.conftest import seed


def _report(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tools", "report", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **env},
    )


def test_report_writes_the_workbook_and_the_pdf(loaded_database, tmp_path: Path):
    env = {"DATABASE_URL": seed(loaded_database), "OFFICE_NAME": "UBND xã Tân Phú", "MIN_RATINGS_TO_RANK": "1"}
    result = _report("--from", "2026-11-16", "--to", "2026-11-22", "--out", str(tmp_path / "out"), env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    workbook, document = (Path(line) for line in result.stdout.split())
    assert (workbook.name, document.name) == ("bao-cao-2026-11-16_2026-11-22.xlsx", "bao-cao-2026-11-16_2026-11-22.pdf")
    assert document.read_bytes().startswith(b"%PDF")
    overview = [row[0] for row in load_workbook(workbook)["Tổng quan"].iter_rows(values_only=True)]
    assert "Đơn vị: UBND xã Tân Phú" in overview and "Kỳ báo cáo: Từ 16/11/2026 đến 22/11/2026" in overview
    services = load_workbook(workbook)["Theo dịch vụ"].iter_rows(values_only=True)
    assert any(row[0] and "từ 2 lượt chấm điểm chung" in row[0] for row in services), "the threshold is never under 2"


def test_report_refuses_half_a_range(tmp_path: Path):
    result = _report("--from", "2026-11-16", "--out", str(tmp_path), env={})
    assert result.returncode == 2 and "--from and --to go together" in result.stderr
