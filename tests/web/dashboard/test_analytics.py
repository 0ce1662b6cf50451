from datetime import date

from core.db import engine_for
from tests.web.dashboard.conftest import add_hostile_rows
from web.dashboard import analytics
from web.dashboard.charts import bar_chart, line_chart, split_bar_chart

FILTERS = analytics.Filters(date(2026, 11, 19), date(2026, 11, 21))


def data(url):
    return analytics.ReviewData(engine_for(url))


def test_turns_rebuilt_from_tracker_events(seeded):
    turns = data(seeded).turns(FILTERS)
    assert len(turns) == 6
    first = turns[0]
    assert (first.sender_id, first.channel, first.intent, first.procedure_id, first.answer_status) == (
        "telegram:1",
        "telegram",
        "ask_fee",
        "ho-chieu",
        "answered",
    )
    assert first.replies[0]["buttons"] == ["Hồ sơ", "Thời gian"]
    assert "action_answer_procedure" in first.actions
    assert [t.sender_id for t in turns if t.unanswered] == ["rest-2", "zalo:3", "zalo:3"]
    assert any(t.low_confidence for t in turns if t.sender_id == "web-4")


def test_stored_text_is_masked(seeded):
    [web] = [t for t in data(seeded).turns(FILTERS) if t.sender_id == "web-4"]
    assert "001203004567" not in web.text and "[CCCD]" in web.text


def test_channel_filter_and_date_range(seeded):
    zalo_only = analytics.Filters(FILTERS.start, FILTERS.end, "zalo")
    assert {t.sender_id for t in data(seeded).turns(zalo_only)} == {"zalo:3"}
    assert data(seeded).turns(analytics.Filters(date(2026, 11, 22), date(2026, 11, 23))) == []


def test_conversations_per_day_by_channel(seeded):
    series = analytics.conversations_per_day(data(seeded).turns(FILTERS), FILTERS)
    assert set(series) == {"rest", "socketio", "telegram", "zalo"}
    assert series["telegram"] == [("19/11", 0.0), ("20/11", 1.0), ("21/11", 0.0)]


def test_unanswered_share_per_day(seeded):
    shares = dict(analytics.unanswered_share_per_day(data(seeded).turns(FILTERS), FILTERS))
    assert shares["20/11"] == 3 / 6 and shares["19/11"] == 0.0


def test_csat_figures(seeded):
    ratings = data(seeded).ratings(FILTERS)
    assert analytics.csat_distribution(ratings) == [("1", 0), ("2", 1), ("3", 0), ("4", 0), ("5", 1)]
    assert analytics.csat_trend(ratings, FILTERS) == [("20/11", 3.5)]
    assert analytics.helpful_by_procedure(ratings) == {"ho-chieu": (0, 1), "tam-tru": (1, 0)}
    rows = {r.procedure_id: r for r in analytics.satisfaction_by_procedure(ratings)}
    assert (rows["tam-tru"].count, rows["tam-tru"].mean, rows["tam-tru"].distribution) == (1, 2.0, [0, 1, 0, 0, 0])
    assert rows["tam-tru"].comments == ["khó hiểu, gọi [SĐT]"]


def test_unanswered_groups_near_duplicates_and_thumbs_down(seeded):
    store = data(seeded)
    groups = analytics.group_unanswered(store.turns(FILTERS), store.ratings(FILTERS))
    assert groups[0].count == 2 and "bắn pháo hoa" in groups[0].text
    texts = {g.text: g for g in groups}
    assert texts["asdfgh qwe"].reasons == {"không hiểu": 1}
    assert texts["cần giấy tờ gì"].reasons == {"👎": 1}, "the answer rated 👎 is the team's to-do too"


def test_charts_are_svg_with_titles_and_escape_labels():
    svg = bar_chart("Thủ tục", [("<script>", 3), ("Hộ chiếu", 1)])
    assert svg.startswith("<svg") and "<title>Thủ tục</title>" in svg and "<script>" not in svg
    assert "Chưa có dữ liệu" in line_chart("x", {"a": [("1", 0.0)]})
    assert "👍 2 · 👎 1" in split_bar_chart("y", [("Hộ chiếu", 2, 1)])


def test_same_figures_on_postgresql(postgres_url):
    from tests.web.dashboard.conftest import seed

    store = data(seed(postgres_url))
    turns = store.turns(FILTERS)
    assert len(turns) == 6 and [t.sender_id for t in turns if t.unanswered] == ["rest-2", "zalo:3", "zalo:3"]
    assert analytics.csat_distribution(store.ratings(FILTERS))[1] == ("2", 1)
    assert "001203004567" not in " ".join(t.text for t in turns)


def test_turns_survive_hostile_event_data(seeded):
    add_hostile_rows(seeded)
    turns = {t.text: t for t in data(seeded).turns(FILTERS) if t.sender_id == "rest-hostile"}
    first = turns["giấy tờ gì"]
    assert (first.channel, first.intent, first.confidence, first.procedure_id, first.answer_status) == (
        '{"a": 1}',
        '{"x": 1}',
        0.0,
        '{"a": [1]}',
        '["not_found"]',
    )
    assert first.actions == ['{"n": 1}'] and first.replies == [
        {"text": "5", "buttons": []},
        {"text": "ok", "buttons": ['{"t": 1}']},
    ]
    assert turns["câu hỏi lạ"].channel == "7" and turns["câu hỏi lạ"].confidence == 0.0
    assert '["a"]' in turns and "không có thời điểm" not in turns, "a turn without a time is left out"
    transcript = data(seeded).turns(FILTERS, sender_id="rest-hostile")
    assert "không có thời điểm" not in {t.text for t in transcript}
