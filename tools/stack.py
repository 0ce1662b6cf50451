"""Start the real Rasa server, action server and web server on free ports, on a given database.

Used by the end-to-end tests, the benchmarks and the real-question evaluation alike.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import requests

from core.db import session_factory
from core.settings import PROJECT_ROOT as ROOT
from knowledge_base.repository import ProcedureRepository

TOKEN = "test-token-123"
RASA = str(Path(sys.executable).with_name("rasa"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise TimeoutError(url)


def latest_model() -> Path:
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    assert models, "no trained model: run `make train` first"
    return models[-1]


def stop(processes: List[subprocess.Popen], logs: List) -> None:
    """Terminate servers (kill what does not stop in 20 s) and close their logs."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    for log in logs:
        log.close()


@dataclass
class Servers:
    rasa: str
    actions: str
    database_url: str
    logs: Path
    rasa_pid: int
    actions_pid: int


@contextmanager
def running_servers(
    tmp: Path,
    records: List[Dict],
    env: Optional[Dict[str, str]] = None,
    credentials: str = "bot/credentials.yml",
    model: Optional[Path] = None,
) -> Iterator[Servers]:
    """Rasa (API token on) and the action server, stopped afterwards; logs under ``tmp``.

    ``model`` defaults to the newest model in models/.
    """
    database_url = f"sqlite:///{tmp / 'e2e.db'}"
    ProcedureRepository(session_factory(database_url)).upsert(records)
    rasa_port, actions_port = free_port(), free_port()
    full_env = dict(
        os.environ,
        DATABASE_URL=database_url,
        ACTIONS_PORT=str(actions_port),
        ACTION_SERVER_URL=f"http://127.0.0.1:{actions_port}/webhook",
        RASA_PORT=str(rasa_port),
        RASA_TELEMETRY_ENABLED="false",
        PYTHONPATH=str(ROOT),
    )
    full_env.update(env or {})
    logs = [open(tmp / "actions.log", "w"), open(tmp / "rasa.log", "w")]
    actions = subprocess.Popen(
        [RASA, "run", "actions", "--actions", "actions", "--port", str(actions_port)],
        cwd=ROOT,
        env=full_env,
        stdout=logs[0],
        stderr=subprocess.STDOUT,
    )
    rasa = subprocess.Popen(
        [
            RASA,
            "run",
            "--enable-api",
            "--port",
            str(rasa_port),
            "--model",
            str(model or latest_model()),
            "--endpoints",
            "bot/endpoints.yml",
            "--credentials",
            credentials,
            "--auth-token",
            TOKEN,
        ],
        cwd=ROOT,
        env=full_env,
        stdout=logs[1],
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"http://127.0.0.1:{actions_port}/health", actions)
        wait_for(f"http://127.0.0.1:{rasa_port}/status?token={TOKEN}", rasa)
        yield Servers(
            f"http://127.0.0.1:{rasa_port}",
            f"http://127.0.0.1:{actions_port}",
            database_url,
            tmp,
            rasa.pid,
            actions.pid,
        )
    finally:
        stop(processes=[rasa, actions], logs=logs)


@contextmanager
def running_web_server(tmp: Path, env: Dict[str, str], port: Optional[int] = None) -> Iterator[str]:
    """The widget/dashboard web server (``python -m web.server``); yields its base URL."""
    port = port or free_port()
    full_env = dict(os.environ, WEB_PORT=str(port), PYTHONPATH=str(ROOT), **env)
    log = open(tmp / "web.log", "w")
    web = subprocess.Popen(
        [sys.executable, "-m", "web.server"], cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/health", web)
        yield base
    finally:
        stop(processes=[web], logs=[log])
