"""analytics_events keeps no raw personal data and each event once, whoever writes it."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.analytics_events import AnalyticsEvent, AnalyticsEventStore, event_row, parse_event
from core.db import engine_for


def test_the_store_masks_what_a_publisher_left_raw(database_url):
    raw = {
        "sender_id": "telegram:912345678",
        "event": "user",
        "timestamp": 1_800_000_000.0,
        "text": "số tôi 0912345678, email an@gmail.com",
        "parse_data": {"text": "cccd 001203004567", "intent": {"name": "ask_fee", "confidence": 0.9}},
    }
    store = AnalyticsEventStore(engine_for(database_url))
    assert store.add([raw]) == 1
    with engine_for(database_url).connect() as connection:
        row = connection.execute(select(AnalyticsEvent)).one()
    for value in ("0912345678", "an@gmail.com", "001203004567"):
        assert value not in row.data
    stored = json.loads(row.data)
    assert stored["sender_id"] == "telegram:912345678", "the conversation id is the join key, kept as sent"
    assert stored["parse_data"]["intent"] == {"name": "ask_fee", "confidence": 0.9}
    assert "[SĐT]" in stored["text"] and "[EMAIL]" in stored["text"]


def test_an_event_and_its_masked_copy_are_one_row(database_url):
    raw = {"sender_id": "a", "event": "bot", "timestamp": 2.0, "text": "Gọi 0912345678"}
    masked = json.loads(event_row(raw)["data"])
    store = AnalyticsEventStore(engine_for(database_url))
    assert store.add([raw]) == 1
    assert store.add([masked, raw]) == 0, "masking twice changes nothing, so the digest is the same"


def test_only_the_event_types_the_dashboard_reads_are_kept(database_url):
    events = [
        {"sender_id": "a", "event": kind, "timestamp": 1.0 + n}
        for n, kind in enumerate(["user", "bot", "action", "slot", "session_started", "restart", "followup"])
    ]
    assert AnalyticsEventStore(engine_for(database_url)).add(events) == 4


def test_parse_event_accepts_rasa_events_only():
    assert parse_event(b'{"sender_id": "a", "event": "user", "timestamp": 1.5, "text": "x"}')["text"] == "x"
    for body in (
        b"not json",
        b"[1, 2]",
        b'{"event": "user", "timestamp": 1}',
        b'{"sender_id": "a", "event": "user"}',
        b'{"sender_id": "", "event": "user", "timestamp": 1}',
        "\udcff".encode("utf-8", "surrogatepass"),
    ):
        assert parse_event(body) is None, body
