"""The search key and revision 0005, which fills it for the messages stored before it existed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text

from bot.analytics_events import AnalyticsEvent
from core.db import make_engine
from core.migrations import alembic_config, current, head, upgrade
from core.search_text import event_search_text, fold_for_search


@pytest.mark.parametrize(
    "typed, key",
    [
        ("hộ chiếu", "ho chieu"),
        ("HỘ CHIẾU", "ho chieu"),
        ("Hộ  Chiếu\n", "ho chieu"),
        ("ho\u0323 chie\u0302\u0301u", "ho chieu"),  # NFD, as Apple keyboards send it
        ("ĐĂNG KÝ đất đai", "dang ky dat dai"),
        ("Ðà Nẵng", "da nang"),  # the look-alike eth some old text has for Đ
        ("giảm 50%_phí", "giam 50%_phi"),  # LIKE's wildcards stay, the search escapes them
    ],
)
def test_the_key_ignores_case_diacritics_and_spacing(typed, key):
    assert fold_for_search(typed) == key


def test_only_words_someone_wrote_get_a_key():
    assert event_search_text("user", "Hộ chiếu") == "ho chieu"
    assert event_search_text("bot", "Lệ phí 200.000 đồng") == "le phi 200.000 dong"
    assert event_search_text("user", '/rate_answer{"turn": "1", "helpful": "up"}') is None
    assert event_search_text("slot", "ho-chieu") is None
    assert event_search_text("user", {"a": 1}) is None
    assert event_search_text("user", "   ") is None


def _stored(sender: str, kind: str, data) -> dict:
    body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return {
        "digest": hashlib.sha256(f"{sender}{kind}{body}".encode()).hexdigest(),
        "sender_id": sender,
        "type_name": kind,
        "timestamp": 1_790_000_000.0,
        "data": body,
    }


ROWS = {
    "question": (_stored("c1", "user", {"event": "user", "text": "Làm HỘ CHIẾU ở đâu"}), "lam ho chieu o dau"),
    "reply": (
        _stored("c1", "bot", {"event": "bot", "text": "Tại Phòng Quản lý xuất nhập cảnh"}),
        "tai phong quan ly xuat nhap canh",
    ),
    "button": (_stored("c1", "user", {"event": "user", "text": "/ask_fee"}), None),
    "slot": (_stored("c1", "slot", {"event": "slot", "name": "procedure_id", "value": "ho-chieu"}), None),
    "broken": (_stored("c2", "user", "not json {"), None),
}


def _check_backfill(url: str) -> None:
    engine = make_engine(url, migrate=False)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0004")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO analytics_events (digest, sender_id, type_name, timestamp, data)"
                " VALUES (:digest, :sender_id, :type_name, :timestamp, :data)"
            ),
            [row for row, _ in ROWS.values()],
        )
    upgrade(engine)
    with engine.connect() as connection:
        assert current(connection) == head()
        stored = dict(connection.execute(select(AnalyticsEvent.digest, AnalyticsEvent.search_text)).all())
        for table in ("conversation_tags", "conversation_notes", "conversation_reviews"):
            assert connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one() == 0
    assert {name: stored[row["digest"]] for name, (row, _) in ROWS.items()} == {
        name: key for name, (_, key) in ROWS.items()
    }
    engine.dispose()


def test_revision_0005_fills_the_key_of_stored_messages(tmp_path: Path):
    _check_backfill(f"sqlite:///{tmp_path / 'before-0005.db'}")


def test_revision_0005_fills_the_key_on_postgresql(postgres_url):
    _check_backfill(postgres_url)
