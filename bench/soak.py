"""``make soak``: many citizens for several minutes while things go wrong; nothing may be lost.

N concurrent conversations (``SOAK_CONVERSATIONS``, default 20) for M minutes (``SOAK_MINUTES``,
default 10) against the real Rasa and action servers on loopback, on a fresh SQLite file. Each
conversation asks a question carrying personal data in the forms citizens type, follows up, and
rates the service. Meanwhile one over-long (100,000-character) message is sent every minute, and
the action server is killed a third of the way in and restarted 20 s later.

Reported (bench/results/soak.md and soak.json, machine noted): messages sent / answered /
stored, 👍 sent / stored, reply latency p50 / p99, errors, the servers' RSS over time, and
how many raw personal values appear in the database file, the server logs and the tracker API.
Targets: 0 lost messages, 0 lost 👍/👎, 0 raw personal values, RSS flat.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Tuple

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.kb_search import percentile  # noqa: E402
from bench.report import machine  # noqa: E402
from bench.run import rss_mb  # noqa: E402
from bot.channels.turns import BUSY_REPLY  # noqa: E402
from knowledge_base.schema import load_directory  # noqa: E402
from tools.stack import RASA, TOKEN, running_servers, wait_for  # noqa: E402

WORK = ROOT / "var" / "soak"
RESULTS = ROOT / "bench" / "results"
# Personal values planted in citizens' messages, in the written forms the audit found stored raw.
PLANTED = {
    "CCCD grouped": "001 203 004 567",
    "CCCD dotted": "001.203.004.567",
    "CCCD plain": "079095001234",
    "phone (0xx)": "(091) 234 5671",
    "phone 0084": "0084 912 345 678",
    "phone +84-": "+84-912-345-679",
    "e-mail": "nguyen.van.an@gmail.com",
}
QUESTION = "em số cccd {cccd}, sđt {phone}, mail {mail}, làm hộ chiếu hết bao nhiêu tiền"
FOLLOW_UPS = ["cần giấy tờ gì", "nộp ở đâu"]
THUMB = "👍"


class Counters:
    """Thread-safe tallies of what was sent and answered."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent = self.answered = self.busy = self.errors = self.ratings_sent = self.long_sent = 0
        self.latencies: List[float] = []
        self.senders: List[str] = []
        self.rated: List[str] = []

    def add(self, latency_ms: float, answered: bool, busy: bool) -> None:
        with self.lock:
            self.sent += 1
            self.answered += int(answered)
            self.busy += int(busy)
            self.errors += int(not answered)
            self.latencies.append(latency_ms)


def say(rasa: str, sender: str, message: str, counters: Counters) -> List[Dict]:
    """The replies (empty when none came), counted."""
    started = time.perf_counter()
    replies: List[Dict] = []
    try:
        answer = requests.post(
            f"{rasa}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=120
        )
        replies = answer.json() if answer.status_code == 200 else []
        answered = bool(replies)
        busy = any(reply.get("text") == BUSY_REPLY for reply in replies)
    except (requests.RequestException, ValueError):
        answered = busy = False
    counters.add((time.perf_counter() - started) * 1000, answered, busy)
    return replies


def citizen(rasa: str, index: int, deadline: float, counters: Counters) -> None:
    """One citizen after another in this slot until the deadline."""
    values = list(PLANTED.values())
    round_no = 0
    while time.monotonic() < deadline:
        sender = f"soak-{index}-{round_no}"
        with counters.lock:
            counters.senders.append(sender)
        question = QUESTION.format(cccd=values[round_no % 3], phone=values[3 + round_no % 3], mail=values[6])
        first = say(rasa, sender, question, counters)
        for message in FOLLOW_UPS:
            say(rasa, sender, message, counters)
        # 👍 on the first answer, as a citizen presses it (a "busy" reply has none to press).
        thumb = next((b["payload"] for r in first for b in r.get("buttons") or [] if b.get("title") == THUMB), None)
        if thumb:
            with counters.lock:
                counters.ratings_sent += 1
                counters.rated.append(sender)
            say(rasa, sender, thumb, counters)
        round_no += 1


def over_long_messages(rasa: str, deadline: float, counters: Counters) -> None:
    minute = 0
    while time.monotonic() < deadline:
        sender = f"soak-long-{minute}"
        with counters.lock:
            counters.senders.append(sender)
            counters.long_sent += 1
        say(rasa, sender, "thu tuc ho chieu " * 5_883, counters)  # 100,011 characters
        minute += 1
        time.sleep(max(0.0, min(60.0, deadline - time.monotonic())))


def restart_action_server(
    servers,
    env: Dict[str, str],
    log: Path,
    at: float,
    down_seconds: float,
    events: List[str],
    replacement: List[subprocess.Popen],
) -> None:
    """Kill the action server at ``at`` (monotonic) and start a new one ``down_seconds`` later."""
    time.sleep(max(0.0, at - time.monotonic()))
    os.kill(servers.actions_pid, signal.SIGKILL)
    events.append(f"{datetime.now(timezone.utc):%H:%M:%S} action server killed")
    time.sleep(down_seconds)
    port = servers.actions.rsplit(":", 1)[1]
    process = subprocess.Popen(
        [RASA, "run", "actions", "--actions", "actions", "--port", port],
        cwd=ROOT,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )
    replacement.append(process)
    wait_for(f"{servers.actions}/health", process)
    events.append(f"{datetime.now(timezone.utc):%H:%M:%S} action server back")


def raw_values_in(data: bytes) -> Dict[str, int]:
    return {name: data.count(value.encode()) for name, value in PLANTED.items() if data.count(value.encode())}


def main() -> int:
    minutes = float(os.environ.get("SOAK_MINUTES", "10"))
    conversations = int(os.environ.get("SOAK_CONVERSATIONS", "20"))
    WORK.mkdir(parents=True, exist_ok=True)
    for leftover in WORK.glob("e2e.db*"):
        leftover.unlink()
    records = load_directory(ROOT / "knowledge_base" / "procedures")
    counters = Counters()
    rss: List[Tuple[float, float, float]] = []
    events: List[str] = []
    replacement: List[subprocess.Popen] = []
    with running_servers(WORK, records) as servers:
        env = dict(os.environ, DATABASE_URL=servers.database_url, PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false")
        requests.post(
            f"{servers.rasa}/webhooks/rest/webhook", json={"sender": "warm", "message": "xin chào"}, timeout=120
        )
        started = time.monotonic()
        deadline = started + minutes * 60
        chaos = threading.Thread(
            target=restart_action_server,
            daemon=True,
            args=(servers, env, WORK / "actions.log", started + minutes * 20, 20.0, events, replacement),
        )
        chaos.start()
        with ThreadPoolExecutor(conversations + 1) as pool:
            jobs = [pool.submit(citizen, servers.rasa, i, deadline, counters) for i in range(conversations)]
            jobs.append(pool.submit(over_long_messages, servers.rasa, deadline, counters))
            while any(not job.done() for job in jobs):
                actions_pid = replacement[-1].pid if replacement else servers.actions_pid
                actions_rss = rss_mb(actions_pid) if Path(f"/proc/{actions_pid}").exists() else 0.0
                rss.append((round(time.monotonic() - started), rss_mb(servers.rasa_pid), actions_rss))
                time.sleep(10)
            for job in jobs:
                job.result()
        chaos.join(timeout=60)
        tracker_api = b"".join(
            requests.get(f"{servers.rasa}/conversations/{sender}/tracker", params={"token": TOKEN}, timeout=30).content
            for sender in counters.senders[:50]
        )
        engine = create_engine(servers.database_url, future=True)
        with engine.connect() as connection:
            stored_messages = connection.execute(
                text("SELECT count(*) FROM events WHERE type_name = 'user' AND sender_id LIKE 'soak-%'")
            ).scalar_one()
            stored_ratings = connection.execute(
                text(
                    "SELECT count(DISTINCT conversation_id) FROM answer_feedback WHERE conversation_id LIKE 'soak-%' "
                    "AND helpful IS NOT NULL"
                )
            ).scalar_one()
        engine.dispose()
    for process in replacement:
        process.terminate()
        process.wait(timeout=30)
    database = b"".join(path.read_bytes() for path in WORK.glob("e2e.db*"))
    logs = b"".join(path.read_bytes() for path in WORK.glob("*.log"))
    report = {
        "machine": machine(),
        "finished": f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        "minutes": minutes,
        "conversations": conversations,
        "chaos": events,
        "messages_sent": counters.sent,
        "messages_answered": counters.answered,
        "messages_stored": stored_messages,
        "over_long_sent": counters.long_sent,
        "ratings_sent": counters.ratings_sent,
        "ratings_stored": stored_ratings,
        "errors": counters.errors,
        "p50_ms": round(percentile(counters.latencies, 0.5), 1),
        "p99_ms": round(percentile(counters.latencies, 0.99), 1),
        "max_ms": round(max(counters.latencies), 1),
        "answered_busy": counters.busy,
        "raw_in_database": raw_values_in(database),
        "raw_in_logs": raw_values_in(logs),
        "raw_in_tracker_api": raw_values_in(tracker_api),
        "rss_mib": [{"t_s": t, "rasa": round(r), "actions": round(a)} for t, r, a in rss],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "soak.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    (RESULTS / "soak.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))
    lost = (report["messages_sent"] - report["messages_stored"], report["ratings_sent"] - report["ratings_stored"])
    raw = sum(map(len, (report["raw_in_database"], report["raw_in_logs"], report["raw_in_tracker_api"])))
    return 0 if lost == (0, 0) and raw == 0 and not report["errors"] else 1


def markdown(report: Dict) -> str:
    rss = report["rss_mib"]
    samples = rss[:: max(1, len(rss) // 8)] + rss[-1:]
    lines = [
        f"# Soak run, {report['finished']}",
        "",
        f"Machine: {report['machine']}. {report['conversations']} concurrent conversations for "
        f"{report['minutes']:g} minutes; one 100,000-character message a minute; {'; '.join(report['chaos'])}.",
        "",
        "| metric | value | target |",
        "|---|---|---|",
        f"| messages sent / answered / stored | {report['messages_sent']} / {report['messages_answered']} / "
        f"{report['messages_stored']} | all answered, all stored |",
        f'| of which answered "busy" (action server down) | {report["answered_busy"]} | – |',
        f"| over-long messages sent | {report['over_long_sent']} | polite reply, no crash |",
        f"| 👍 on answers sent / stored | {report['ratings_sent']} / {report['ratings_stored']} | equal |",
        f"| errors (no reply or HTTP error) | {report['errors']} | 0 |",
        f"| reply latency p50 / p99 / max | {report['p50_ms']} / {report['p99_ms']} / {report['max_ms']} ms | – |",
        f"| raw personal values in database file / logs / tracker API | {report['raw_in_database'] or 0} / "
        f"{report['raw_in_logs'] or 0} / {report['raw_in_tracker_api'] or 0} | 0 / 0 / 0 |",
        "",
        "RSS over time (MiB):",
        "",
        "| t (s) | Rasa server | action server |",
        "|---|---|---|",
    ] + [f"| {s['t_s']} | {s['rasa']} | {s['actions']} |" for s in samples]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
