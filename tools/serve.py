"""``make run``: the Rasa server, the action server and the web server as one unit.

The three servers live and die together. Ctrl-C, a TERM to this process or to its process group
(what a script or a supervisor sends), or the death of this process's parent stops all three; when
any one of them dies on its own, the others are stopped and this process exits non-zero, so a
supervisor (systemd, compose ``restart:``) brings the whole set back.

Secure by default: the servers listen on ``BIND_ADDRESS`` (loopback unless told otherwise) and
Rasa's HTTP API needs a token. Without ``RASA_API_TOKEN`` one is generated on the first start,
kept in ``var/rasa_api_token`` (``RASA_API_TOKEN_FILE``; readable by its owner only) and printed once.
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

from core.db import make_engine
from core.secret_files import rasa_api_token
from core.settings import PROJECT_ROOT, Settings, get_settings

logger = logging.getLogger("tools.serve")

STOP_GRACE_SECONDS = 20
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Linux: get SIGTERM when the parent process dies, so no server outlives its launcher."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def api_token(settings: Settings) -> str:
    """``RASA_API_TOKEN``, else the token kept under var/, created (and printed) on first use."""
    token, created = rasa_api_token(settings)
    if created:
        print(
            f"Rasa HTTP API token (kept in {settings.rasa_api_token_file}; add ?token=... to API calls): {token}",
            flush=True,
        )
    return token


def commands(settings: Settings, token: str, endpoints: str, model: str) -> Dict[str, List[str]]:
    """The command line of each server."""
    bin_dir = Path(sys.executable).parent
    return {
        "actions": [
            str(bin_dir / "rasa"),
            "run",
            "actions",
            "--actions",
            "actions",
            "--port",
            str(settings.actions_port),
        ],
        "web": [sys.executable, "-m", "web.server"],
        "rasa": [
            str(bin_dir / "rasa"),
            "run",
            "--enable-api",
            "--interface",
            settings.bind_address,
            "--port",
            str(settings.rasa_port),
            "--model",
            model,
            "--endpoints",
            endpoints,
            "--credentials",
            "bot/credentials.yml",
            # One argument: a generated token may start with "-", which argparse would read as an option.
            f"--auth-token={token}",
            "--response-timeout",
            str(settings.response_timeout_seconds),
        ],
    }


def health_urls(settings: Settings) -> Dict[str, str]:
    """Where each server answers once it is ready to serve."""
    host = "127.0.0.1" if settings.bind_address in ("127.0.0.1", "0.0.0.0") else settings.bind_address
    return {
        "actions": f"http://{host}:{settings.actions_port}/health",
        "web": f"http://{host}:{settings.web_port}/health",
        "rasa": f"http://{host}:{settings.rasa_port}/",
    }


def answers(url: str) -> bool:
    """True when ``url`` answers 200 within a moment."""
    try:
        with urllib.request.urlopen(url, timeout=0.5) as reply:
            return reply.status == 200
    except (OSError, ValueError):
        return False


class ServerGroup:
    """Starts the servers, watches them, says once when all are ready, and stops them all at once."""

    def __init__(
        self,
        commands: Dict[str, List[str]],
        env: Dict[str, str],
        health: Optional[Dict[str, str]] = None,
        ready_line: str = "",
    ) -> None:
        self.commands = commands
        self.env = env
        self.health = dict(health or {})
        self.ready_line = ready_line
        self.processes: Dict[str, subprocess.Popen] = {}
        self.stop_requested: Optional[int] = None

    def start(self) -> None:
        for name, command in self.commands.items():
            self.processes[name] = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=self.env, preexec_fn=_die_with_parent
            )
            logger.info("serve.started server=%s pid=%s", name, self.processes[name].pid)

    def request_stop(self, signum: int, _frame: object) -> None:
        self.stop_requested = signum

    def watch(self) -> int:
        """Wait until a stop is requested (exit 0) or a server dies (exit 1); then stop them all."""
        while self.stop_requested is None:
            for name, process in self.processes.items():
                code = process.poll()
                if code is not None:
                    print(
                        f"The {name} server stopped (exit code {code}); stopping the others.",
                        file=sys.stderr,
                        flush=True,
                    )
                    logger.error("serve.server_died server=%s code=%s", name, code)
                    self.stop_all()
                    return 1
            self._announce_when_ready()
            time.sleep(0.5)
        logger.info("serve.stopping signal=%s", self.stop_requested)
        self.stop_all()
        return 0

    def _announce_when_ready(self) -> None:
        """Prints the ready line the first time every server answers its health check."""
        if not self.health:
            return
        self.health = {name: url for name, url in self.health.items() if not answers(url)}
        if not self.health:
            print(self.ready_line, flush=True)
            logger.info("serve.ready")

    def stop_all(self) -> None:
        running = [p for p in self.processes.values() if p.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main(argv: Optional[List[str]] = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", default="bot/endpoints.yml")
    parser.add_argument("--model", default="models")
    args = parser.parse_args(argv)
    _die_with_parent()
    settings = get_settings()
    # The schema is upgraded once, here, before three processes open the database.
    make_engine(settings.database_url).dispose()
    env = dict(os.environ, SANIC_HOST=settings.bind_address)
    host = "localhost" if settings.bind_address in ("127.0.0.1", "0.0.0.0") else settings.bind_address
    ready = (
        f"Ready: widget demo http://{host}:{settings.web_port}/ · dashboard http://{host}:{settings.web_port}/review/ "
        f"· REST http://{host}:{settings.rasa_port}/webhooks/rest/webhook (Ctrl-C stops all three)"
    )
    group = ServerGroup(
        commands(settings, api_token(settings), args.endpoints, args.model), env, health_urls(settings), ready
    )
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, group.request_stop)
    group.start()
    print("Starting the Rasa server, the action server and the web server (about a minute)...", flush=True)
    return group.watch()
