"""``make bench``: ours against a baseline, side by side in one run, on this machine.

1. NLU quality on the held-out set per style: our pipeline vs Rasa's default configuration
   (bench/configs/rasa_default.yml, what `rasa init` gives) trained on the same data.
2. End-to-end latency through /webhooks/rest/webhook (action server and knowledge base
   included), sequential and at 10 and 50 concurrent conversations: our bot vs the same
   bot with Rasa's default policies (Memoization, Rule, UnexpecTED, TED), and vs the same
   bot on Rasa's whole default configuration.
3. Knowledge-base search latency/accuracy at 40, 1,000 and 10,000 procedures, import time
   (bench/kb_search.py).
4. Training time (full and NLU-only, Rasa's training cache off) and resident memory of the
   Rasa and action servers.

Writes bench/results/latest.md (table, machine noted) and latest.json
(a list of {"metric", "ours", "baseline", "unit"}).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import kb_search  # noqa: E402
from bench.kb_search import percentile  # noqa: E402
from bench.report import Row, row, write_results  # noqa: E402
from knowledge_base.schema import load_directory  # noqa: E402
from tools.stack import RASA, running_servers  # noqa: E402

WORK = ROOT / "var" / "bench"

DATA = ["--domain", "bot/domain.yml", "--data", "nlu_data"]
CONVERSATION = [
    "làm hộ chiếu hết bao nhiêu tiền",
    "cần giấy tờ gì",
    "nộp ở đâu",
    "mất bao lâu",
    "còn đăng ký tạm trú thì sao",
    "cảm ơn",
]


def env() -> Dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")


def timed(command: Sequence[str], log: Path, cache: bool = True) -> float:
    """Wall time of a training command; ``cache=False`` turns Rasa's training cache off."""
    run_env = env() if cache else dict(env(), RASA_MAX_CACHE_SIZE="0")
    started = time.perf_counter()
    with log.open("w") as handle:
        subprocess.run(command, cwd=ROOT, env=run_env, stdout=handle, stderr=subprocess.STDOUT, check=True)
    return time.perf_counter() - started


def newest(folder: Path) -> Path:
    return sorted(folder.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)[-1]


def default_policies_config() -> Path:
    """Our config.yml with its policies replaced by Rasa's defaults (same NLU, cache-friendly)."""
    ours = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    default = yaml.safe_load((ROOT / "bench" / "configs" / "rasa_default.yml").read_text(encoding="utf-8"))
    ours["policies"] = default["policies"]
    path = WORK / "config-default-policies.yml"
    path.write_text(yaml.safe_dump(ours, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load_test(rasa_url: str, conversations: int, prefix: str) -> Tuple[List[float], int, float]:
    """``conversations`` citizens in parallel, each sending CONVERSATION turn by turn."""

    def citizen(index: int) -> Tuple[List[float], int]:
        latencies, errors = [], 0
        for message in CONVERSATION:
            started = time.perf_counter()
            try:
                answer = requests.post(
                    f"{rasa_url}/webhooks/rest/webhook",
                    timeout=120,
                    json={"sender": f"{prefix}-{index}", "message": message},
                )
                ok = answer.status_code == 200 and bool(answer.json())
            except requests.RequestException:
                ok = False
            latencies.append((time.perf_counter() - started) * 1000)
            errors += int(not ok)
        return latencies, errors

    started = time.perf_counter()
    with ThreadPoolExecutor(conversations) as pool:
        results = list(pool.map(citizen, range(conversations)))
    wall = time.perf_counter() - started
    latencies = [value for values, _ in results for value in values]
    return latencies, sum(errors for _, errors in results), len(latencies) / wall


def serve_and_measure(model: Path, label: str) -> Dict[str, float]:
    """Load-test ``model`` behind the real Rasa and action servers on a fresh SQLite file."""
    logs = WORK / label
    logs.mkdir(exist_ok=True)
    (logs / "e2e.db").unlink(missing_ok=True)
    records = load_directory(ROOT / "knowledge_base" / "procedures")
    with running_servers(logs, records, model=model) as servers:
        load_test(servers.rasa, 2, f"warm-{label}")
        sequential: List[float] = []
        errors = 0
        for round_no in range(33):
            more, more_errors, _ = load_test(servers.rasa, 1, f"seq-{label}-{round_no}")
            sequential += more
            errors += more_errors
        figures: Dict[str, float] = dict(
            seq_p50=percentile(sequential, 0.5),
            seq_p95=percentile(sequential, 0.95),
            seq_p99=percentile(sequential, 0.99),
            seq_errors=errors,
        )
        for concurrency in (10, 50):
            latencies, errors, rate = load_test(servers.rasa, concurrency, f"c{concurrency}-{label}")
            figures.update(
                {
                    f"c{concurrency}_p50": percentile(latencies, 0.5),
                    f"c{concurrency}_p99": percentile(latencies, 0.99),
                    f"c{concurrency}_errors": errors,
                    f"c{concurrency}_rate": rate,
                }
            )
        figures.update(rasa_rss=rss_mb(servers.rasa_pid), actions_rss=rss_mb(servers.actions_pid))
        return figures


def nlu_reports(model: Path) -> List[Dict]:
    from tools.evaluate import evaluate

    return [vars(r) for r in asyncio.run(evaluate(model, ROOT / "tests" / "nlu"))]


def main() -> int:
    WORK.mkdir(parents=True, exist_ok=True)
    rows: List[Row] = []

    def add(metric: str, ours: Optional[float], baseline: Optional[float], unit: str) -> None:
        rows.append(row(metric, ours, baseline, unit))

    print("== training", flush=True)
    ours_dir, default_dir, policies_dir = (
        WORK / "models-ours",
        WORK / "models-rasa-default",
        WORK / "models-default-policies",
    )
    full = timed(
        [RASA, "train", "--force", "--config", "config.yml", *DATA, "--out", str(ours_dir)],
        WORK / "train-ours.log",
        cache=False,
    )
    default_full = timed(
        [RASA, "train", "--force", "--config", "bench/configs/rasa_default.yml", *DATA, "--out", str(default_dir)],
        WORK / "train-rasa-default.log",
        cache=False,
    )
    nlu_only = timed(
        [RASA, "train", "nlu", "--config", "config.yml", "--nlu", "nlu_data", "--out", str(WORK / "models-ours-nlu")],
        WORK / "train-ours-nlu.log",
        cache=False,
    )
    policies_only = timed(
        [RASA, "train", "--config", str(default_policies_config()), *DATA, "--out", str(policies_dir)],
        WORK / "train-default-policies.log",
    )
    add("training, full (no cache)", full, default_full, "s")
    add("training, NLU only (no cache)", nlu_only, None, "s")
    add("training, default policies with our NLU cached", None, policies_only, "s")

    print("== NLU quality", flush=True)
    ours_nlu, default_nlu_reports = nlu_reports(newest(ours_dir)), nlu_reports(newest(default_dir))
    for mine, theirs in zip(ours_nlu, default_nlu_reports):
        for key, label in (
            ("intent_accuracy", "intent accuracy"),
            ("intent_macro_f1", "intent macro-F1"),
            ("entity_f1", "entity F1"),
            ("procedure_accuracy", "procedure resolution"),
        ):
            add(f"NLU {label} ({mine['style']})", mine[key], theirs[key], "ratio")

    print("== end-to-end latency", flush=True)
    ours_latency = serve_and_measure(newest(ours_dir), "ours")
    base_latency = serve_and_measure(newest(policies_dir), "default-policies")
    default_latency = serve_and_measure(newest(default_dir), "rasa-default")
    for key, label, unit in (
        ("seq_p50", "REST sequential p50", "ms"),
        ("seq_p95", "REST sequential p95", "ms"),
        ("seq_p99", "REST sequential p99", "ms"),
        ("seq_errors", "REST sequential errors", "count"),
        ("c10_p50", "REST 10 concurrent p50", "ms"),
        ("c10_p99", "REST 10 concurrent p99", "ms"),
        ("c10_rate", "REST 10 concurrent throughput", "msg/s"),
        ("c10_errors", "REST 10 concurrent errors", "count"),
        ("c50_p50", "REST 50 concurrent p50", "ms"),
        ("c50_p99", "REST 50 concurrent p99", "ms"),
        ("c50_rate", "REST 50 concurrent throughput", "msg/s"),
        ("c50_errors", "REST 50 concurrent errors", "count"),
        ("rasa_rss", "Rasa server RSS after load", "MB"),
        ("actions_rss", "action server RSS after load", "MB"),
    ):
        add(label, ours_latency[key], base_latency[key], unit)
    for key, label, unit in (
        ("seq_p50", "REST sequential p50", "ms"),
        ("seq_p99", "REST sequential p99", "ms"),
        ("c50_p99", "REST 50 concurrent p99", "ms"),
        ("c50_rate", "REST 50 concurrent throughput", "msg/s"),
        ("c50_errors", "REST 50 concurrent errors", "count"),
        ("rasa_rss", "Rasa server RSS after load", "MB"),
    ):
        add(f"{label} vs Rasa's default configuration", ours_latency[key], default_latency[key], unit)

    print("== knowledge-base search", flush=True)
    rows.extend(kb_search.table_rows(kb_search.run()))

    print(
        write_results(
            "latest",
            "Benchmark results",
            "Baselines: NLU rows and full training compare Rasa's default configuration (bench/configs/"
            "rasa_default.yml); latency and memory rows compare the same bot with Rasa's default policies, "
            "and the rows marked \"vs Rasa's default configuration\" the same bot with Rasa's whole default "
            "configuration (pipeline and policies); KB rows compare a full scan without the inverted index.",
            rows,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
