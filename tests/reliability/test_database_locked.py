"""A SQLite database locked for 10 seconds (a backup, a long query) delays replies; it loses nothing."""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Iterator

import pytest

from tests.reliability.conftest import say, tracker
from tools.stack import Servers, running_servers

pytestmark = pytest.mark.e2e

LOCK_SECONDS = 10


@pytest.fixture(scope="module")
def servers(tmp_path_factory, curated_records) -> Iterator[Servers]:
    with running_servers(tmp_path_factory.mktemp("locked"), curated_records) as running:
        yield running


def hold_write_lock(database_url: str, seconds: float, held: threading.Event) -> None:
    connection = sqlite3.connect(database_url.replace("sqlite:///", ""), isolation_level=None)
    connection.execute("BEGIN EXCLUSIVE")
    held.set()
    time.sleep(seconds)
    connection.execute("COMMIT")
    connection.close()


def test_turns_during_a_lock_are_answered_and_stored(servers):
    say(servers, "locked-1", "xin chào")
    held = threading.Event()
    locker = threading.Thread(target=hold_write_lock, args=(servers.database_url, LOCK_SECONDS, held))
    locker.start()
    held.wait(10)
    replies = say(servers, "locked-1", "làm hộ chiếu hết bao nhiêu tiền")
    locker.join()
    assert "200.000 đồng" in replies[0]["text"]
    texts = [e["text"] for e in tracker(servers, "locked-1")["events"] if e["event"] == "user"]
    assert texts == ["xin chào", "làm hộ chiếu hết bao nhiêu tiền"]
    assert "200.000 đồng" in say(servers, "locked-2", "làm hộ chiếu hết bao nhiêu tiền")[0]["text"]
