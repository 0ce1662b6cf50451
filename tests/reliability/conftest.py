"""Shared pieces of the reliability suite: the real servers, a citizen's REST call, process memory."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import requests

from tools.stack import TOKEN, Servers


def say(servers: Servers, sender: str, message: str) -> List[Dict]:
    answer = requests.post(
        f"{servers.rasa}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def tracker(servers: Servers, sender: str) -> Dict:
    answer = requests.get(f"{servers.rasa}/conversations/{sender}/tracker", params={"token": TOKEN}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmHWM for pid {pid}")
