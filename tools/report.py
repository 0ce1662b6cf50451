"""``python -m tools report``: the weekly or monthly report (XLSX and PDF) an office signs; safe from cron.

Without --from/--to it reports the previous whole ISO week (Monday to Sunday) or calendar month,
in Vietnam time, so a cron line on Monday morning or on the 1st needs no dates. The figures are the
dashboard's (web/reports/figures.py).
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from typing import List, Optional, Tuple

from core.db import engine_for
from core.settings import get_settings
from web.dashboard.analytics import ReviewData
from web.reports.figures import PERIODS, WEEK, Period, build_report, named_period, period_between
from web.reports.pdf import pdf_bytes
from web.reports.workbook import workbook_bytes

logger = logging.getLogger(__name__)


def write_report(period: Period, out: Path) -> Tuple[Path, Path]:
    """Write the period's XLSX and PDF into ``out``; returns both paths."""
    settings = get_settings()
    data = ReviewData(engine_for(settings.database_url))
    report = build_report(data, period, settings.office_name, settings.min_ratings_to_rank)
    out.mkdir(parents=True, exist_ok=True)
    workbook = out / f"{period.file_stem}.xlsx"
    document = out / f"{period.file_stem}.pdf"
    workbook.write_bytes(workbook_bytes(report))
    document.write_bytes(pdf_bytes(report))
    logger.info("report.written period=%s..%s xlsx=%s pdf=%s", period.start, period.end, workbook, document)
    return workbook, document


def pdf_page_png(pdf: bytes, target: Path, page: int = 1, resolution: int = 60) -> Path:
    """One page of a PDF as a PNG, drawn by poppler's pdftoppm (Debian package poppler-utils)."""
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "report.pdf"
        source.write_bytes(pdf)
        stem = Path(scratch) / "page"
        command = ["pdftoppm", "-r", str(resolution), "-f", str(page), "-l", str(page), "-png", "-singlefile"]
        subprocess.run([*command, str(source), str(stem)], check=True)
        target.write_bytes(stem.with_suffix(".png").read_bytes())
    return target


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools report", description=__doc__.splitlines()[0])
    parser.add_argument("--period", choices=PERIODS, default=WEEK, help="the previous week or month (default: week)")
    parser.add_argument("--from", dest="start", type=date.fromisoformat, help="first day, YYYY-MM-DD (with --to)")
    parser.add_argument("--to", dest="end", type=date.fromisoformat, help="last day, YYYY-MM-DD (with --from)")
    parser.add_argument("--out", type=Path, default=Path("var/reports"), help="directory (default: var/reports)")
    args = parser.parse_args(argv)
    if (args.start is None) != (args.end is None):
        parser.error("--from and --to go together")
    if args.start is not None:
        try:
            period = period_between(args.start, args.end)
        except ValueError as exc:
            parser.error(str(exc))
    else:
        period = named_period(args.period)
    for path in write_report(period, args.out):
        print(path)
    return 0
