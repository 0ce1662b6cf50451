"""Searching conversations: diacritics, case and LIKE's wildcards, on SQLite and the real PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timezone

from bot.analytics_events import AnalyticsEventStore
from core.db import engine_for
from web.dashboard.analytics import Filters
from web.dashboard.search import quote, search_conversations

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc).timestamp()
RANGE = Filters(date(2026, 11, 19), date(2026, 11, 21))


def said(sender: str, text: str, at: float, kind: str = "user") -> dict:
    event = {"sender_id": sender, "event": kind, "timestamp": at, "text": text}
    if kind == "user":
        event.update(input_channel="rest", parse_data={"intent": {"name": "ask_fee", "confidence": 0.9}})
    return event


EVENTS = [
    said("passport", "Làm HỘ CHIẾU hết bao nhiêu tiền", NOW),
    said("passport", "Lệ phí cấp hộ chiếu phổ thông là 200.000 đồng", NOW + 1, "bot"),
    said("passport", "cảm ơn", NOW + 2),
    said("residence", "đăng ký tạm trú ở Đà Nẵng", NOW + 10),
    said("wildcards", "được giảm 50% phí_a không", NOW + 20),
    said("button", '/rate_answer{"turn": "ho chieu", "helpful": "up"}', NOW + 30),
    said("last-year", "hộ chiếu", NOW - 400 * 86400),
]


def search(url: str, query: str, filters: Filters = RANGE) -> dict:
    return search_conversations(engine_for(url), query, filters)


def check_search(url: str) -> None:
    AnalyticsEventStore(engine_for(url)).add(EVENTS)
    for typed in ("ho chieu", "HỘ CHIẾU", "Hộ   chiếu", "ho\u0323 chie\u0302\u0301u"):
        found = search(url, typed)
        assert set(found) == {"passport"}, typed
    first = search(url, "ho chieu")["passport"]
    assert (first.count, first.first.from_citizen, first.first.text) == (2, True, "Làm HỘ CHIẾU hết bao nhiêu tiền")
    reply = search(url, "200.000 dong")["passport"].first
    assert not reply.from_citizen and reply.text.startswith("Lệ phí")
    assert set(search(url, "da nang")) == {"residence"}  # đ folds to d
    assert set(search(url, "DANG KY")) == {"residence"}
    # % and _ are the searched characters, not LIKE's wildcards
    assert set(search(url, "%")) == {"wildcards"}
    assert set(search(url, "_")) == {"wildcards"}
    assert set(search(url, "50%")) == {"wildcards"}
    assert search(url, "5_%") == {}
    # a button's payload is not what anybody typed; the date range applies
    assert set(search(url, "helpful")) == set()
    assert set(search(url, "ho chieu", Filters(date(2025, 1, 1), date(2026, 12, 31)))) == {"passport", "last-year"}
    assert search(url, "   ") == {} and search(url, "visa") == {}


def test_search_on_sqlite(database_url):
    check_search(database_url)


def test_same_search_on_postgresql(postgres_url):
    check_search(postgres_url)


def test_the_quote_marks_the_match_as_typed_and_escapes_the_rest():
    assert str(quote("Làm  HỘ CHIẾU <b>nhanh</b>", "ho chieu")) == (
        "Làm  <mark>HỘ CHIẾU</mark> &lt;b&gt;nhanh&lt;/b&gt;"
    )
    nfd = "ho\u0323 chie\u0302\u0301u"
    assert str(quote(nfd, "HỘ CHIẾU")) == f"<mark>{nfd}</mark>"
    long = "x " * 200 + "Đăng ký tạm trú" + " y" * 200
    marked = str(quote(long, "dang ky", width=60))
    assert marked.startswith("…") and marked.endswith("…") and "<mark>Đăng ký</mark>" in marked
    assert len(marked) < 100
    assert str(quote("<i>không khớp</i>", "visa")) == "&lt;i&gt;không khớp&lt;/i&gt;"


def test_the_range_is_searched_by_vietnam_day_and_every_match_counts(database_url):
    # 21/11 09:00 and 09:10 UTC: afternoon of 21/11 in Vietnam
    AnalyticsEventStore(engine_for(database_url)).add(
        [said("late", "hộ chiếu", NOW + 86400), said("late", "hộ chiếu gấp", NOW + 86400 + 600)]
    )
    assert search(database_url, "ho chieu", Filters(date(2026, 11, 19), date(2026, 11, 20))) == {}
    assert search(database_url, "ho chieu", Filters(date(2026, 11, 21), date(2026, 11, 21)))["late"].count == 2
