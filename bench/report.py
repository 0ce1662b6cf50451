"""Benchmark results tables: ours beside a baseline, with the machine they ran on."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Dict, List, Optional

Row = Dict[str, object]
RESULTS = Path(__file__).resolve().parent / "results"


def row(metric: str, ours: Optional[float], baseline: Optional[float], unit: str) -> Row:
    """One table row, figures rounded to 4 decimals."""
    return {
        "metric": metric,
        "ours": None if ours is None else round(float(ours), 4),
        "baseline": None if baseline is None else round(float(baseline), 4),
        "unit": unit,
    }


def write_results(stem: str, title: str, baselines: str, rows: List[Row]) -> str:
    """Writes bench/results/<stem>.json and <stem>.md (the table, machine and time noted); returns the table."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = [
        f"# {title}",
        "",
        f"Machine: {machine()}. Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        baselines,
        "",
        "| metric | ours | baseline | unit |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {r['metric']} | {'' if r['ours'] is None else r['ours']} | "
        f"{'' if r['baseline'] is None else r['baseline']} | {r['unit']} |"
        for r in rows
    ]
    table = "\n".join(lines)
    (RESULTS / f"{stem}.md").write_text(table + "\n", encoding="utf-8")
    return table


def machine() -> str:
    """Cores, CPU model, memory, kernel, Python and Rasa versions, in one line."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = (
        int(
            next(
                line.split()[1]
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            )
        )
        / 1024
        / 1024
    )
    import rasa

    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, Linux {platform.release()}, "
        f"Python {platform.python_version()}, Rasa {rasa.__version__}"
    )
