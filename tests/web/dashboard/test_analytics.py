import math
from datetime import date, datetime, timedelta, timezone

import pytest

from actions.stores.tables import AnswerFeedback, ServiceSurvey
from core.db import engine_for
from tests.web.dashboard.conftest import DAY, add_hostile_rows
from web.dashboard import analytics
from web.dashboard.charts import bar_chart, line_chart, split_bar_chart
from web.dashboard.statistics import wilson

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


def test_answer_quality_per_procedure_intent_and_channel(seeded):
    feedback = data(seeded).feedback(FILTERS)
    overall = analytics.answer_quality_overall(feedback)
    assert overall.helpful == wilson(1, 3) and overall.not_helpful == 2
    assert overall.reasons == [("hard_to_understand", 1), ("missing_information", 1)]
    rows = {row.key: row for row in analytics.answer_quality(feedback, "procedure_id")}
    assert (rows["ho-chieu"].helpful.k, rows["ho-chieu"].helpful.n) == (1, 2)
    assert rows["tam-tru"].reasons == [("hard_to_understand", 1)]
    assert rows["tam-tru"].comments == ["khó hiểu, gọi [SĐT]"]
    intents = {row.key: row.helpful.value for row in analytics.answer_quality(feedback, "intent")}
    assert intents == {"ask_fee": 1.0, "ask_documents": 0.0, "ask_procedure": 0.0}
    channels = {row.key: row.helpful.n for row in analytics.answer_quality(feedback, "channel")}
    assert channels == {"telegram": 2, "socketio": 1}


def test_service_evaluation_kept_apart_from_answers(seeded):
    surveys = data(seeded).surveys(FILTERS)
    service = analytics.service_evaluation_overall(surveys)
    # two overall scores, 5 and 2: mean 3.5, t(0.975, 1) = 12.706, the interval cut to the 1-5 scale
    assert (service.overall.n, service.overall.value, service.overall.low, service.overall.high) == (2, 3.5, 1.0, 5.0)
    assert service.satisfied == wilson(1, 2)
    assert service.criteria["finding_information"].value == 2.5 and service.criteria["submitting_online"].n == 1
    rows = {row.key: row for row in analytics.service_evaluation(surveys, "procedure_id")}
    assert (rows["ho-chieu"].overall.value, rows["tam-tru"].overall.value) == (5.0, 2.0)
    assert analytics.score_distribution(surveys) == [("1", 0), ("2", 1), ("3", 0), ("4", 0), ("5", 1)]


def test_stored_scores_out_of_range_are_not_counted(seeded):
    add_hostile_rows(seeded)
    surveys = data(seeded).surveys(FILTERS)
    assert 9 in {s.overall for s in surveys}
    service = analytics.service_evaluation_overall(surveys)
    assert service.overall.n == 2 and service.criteria["cost_as_announced"].n == 1
    assert "" not in {row.key for row in analytics.service_evaluation(surveys, "procedure_id")}


def survey(procedure, overall, at=DAY, channel="rest"):
    return ServiceSurvey(
        conversation_id=f"c-{procedure}-{overall}",
        session_key="s",
        channel=channel,
        procedure_id=procedure,
        trigger="idle",
        overall=overall,
        created_at=at,
    )


INFO = {
    "steady": analytics.ProcedureInfo("Ổn định", "Hộ tịch", "cấp xã"),
    "lucky": analytics.ProcedureInfo("Cao nhưng dao động", "Hộ tịch", "cấp xã"),
    "few": analytics.ProcedureInfo("Ít lượt", "Hộ tịch", "cấp xã"),
    "other": analytics.ProcedureInfo("Lĩnh vực khác", "Cư trú", "cấp xã"),
}


def test_services_ranked_by_lower_bound_within_field_and_level():
    steady = [4] * 20 + [5] * 10  # mean 4.33, tight
    lucky = [5] * 9 + [1, 2]  # mean 4.45, wide
    few = [5, 5, 5]  # mean 5, too few answers to rank
    surveys = [survey("steady", s) for s in steady] + [survey("lucky", s) for s in lucky]
    surveys += [survey("few", s) for s in few] + [survey("other", s) for s in [3] * 10]
    groups = analytics.rank_services(analytics.service_evaluation(surveys), INFO, min_answers=10)
    assert [(g.field, g.level) for g in groups] == [("Cư trú", "cấp xã"), ("Hộ tịch", "cấp xã")]
    civil = groups[1]
    assert [(e.key, e.rank) for e in civil.ranked] == [("steady", 1), ("lucky", 2)]
    assert [(e.key, e.rank) for e in civil.unranked] == [("few", None)]
    by_key = {e.key: e for e in civil.ranked}
    assert by_key["lucky"].overall.value > by_key["steady"].overall.value, "a higher mean, ranked lower"
    t10 = 2.228  # t(0.975, 10), printed tables
    sd = math.sqrt(sum((s - sum(lucky) / 11) ** 2 for s in lucky) / 10)
    assert by_key["lucky"].overall.low == pytest.approx(sum(lucky) / 11 - t10 * sd / math.sqrt(11), abs=1e-3)
    assert groups[0].ranked[0].rank == 1, "ranks restart in each field and level"


def test_equal_lower_bounds_share_a_rank_and_threshold_is_at_least_two():
    surveys = [survey("steady", s) for s in [4, 5] * 5] + [survey("lucky", s) for s in [5, 4] * 5]
    [group] = analytics.rank_services(analytics.service_evaluation(surveys), INFO, min_answers=1)
    assert [e.rank for e in group.ranked] == [1, 1]
    single = analytics.service_evaluation([survey("few", 5)])
    assert analytics.rank_services(single, INFO, min_answers=1)[0].unranked[0].key == "few"


def test_trends_by_iso_week_and_month_in_vietnam_time():
    sunday_night = datetime(2026, 11, 22, 18, 0, tzinfo=timezone.utc)  # Monday 23/11 01:00 in Vietnam
    assert analytics.period_of(sunday_night, analytics.WEEK) == (2026, 48)
    assert analytics.period_of(datetime(2026, 11, 30, 17, 30, tzinfo=timezone.utc), analytics.MONTH) == (2026, 12)
    filters = analytics.Filters(date(2026, 11, 16), date(2026, 11, 29))
    feedback = [
        AnswerFeedback(helpful=True, created_at=DAY),
        AnswerFeedback(helpful=False, created_at=DAY),
        AnswerFeedback(helpful=True, created_at=sunday_night),
    ]
    weeks = analytics.answer_trend(feedback, filters, analytics.WEEK)
    assert [(label, share.k, share.n) for label, share in weeks] == [("Tuần 47/2026", 1, 2), ("Tuần 48/2026", 1, 1)]
    months = analytics.service_trend([survey("x", 4), survey("x", 2, at=sunday_night)], filters, analytics.MONTH)
    assert [(label, mean.value, mean.n) for label, mean in months] == [("Tháng 11/2026", 3.0, 2)]


def test_filters_are_vietnamese_days():
    day = analytics.Filters(date(2026, 11, 21), date(2026, 11, 21))
    assert day.start_at == datetime(2026, 11, 20, 17, 0, tzinfo=timezone.utc)
    assert day.end_at - day.start_at == timedelta(days=1)


def test_evaluate_bundles_both_evaluations(seeded):
    evaluation = analytics.evaluate(data(seeded), FILTERS, min_answers=10)
    assert evaluation.answers.helpful == wilson(1, 3) and evaluation.service.overall.value == 3.5
    assert [row.key for row in evaluation.service_by_channel] == ["socketio", "telegram"]
    assert evaluation.answers_by_week[0][0] == "Tuần 47/2026"
    keys = [e.key for group in evaluation.service_groups for e in group.unranked]
    assert sorted(keys) == ["ho-chieu", "tam-tru"] and not any(group.ranked for group in evaluation.service_groups)


def test_unanswered_groups_near_duplicates_and_thumbs_down(seeded):
    store = data(seeded)
    groups = analytics.group_unanswered(store.turns(FILTERS), store.feedback(FILTERS))
    assert groups[0].count == 2 and "bắn pháo hoa" in groups[0].text
    texts = {g.text: g for g in groups}
    assert texts["asdfgh qwe"].reasons == {"không hiểu": 1}
    assert texts["cần giấy tờ gì"].reasons == {"👎 Thiếu thông tin": 1}, "the answer rated 👎 is the team's to-do too"
    assert texts["số cccd [CCCD] làm tạm trú"].reasons == {"👎 Khó hiểu": 1}


def test_a_thumbs_down_names_its_turn_by_message_id_not_by_time(seeded):
    turns = data(seeded).turns(FILTERS)
    later = DAY + timedelta(hours=2)  # after both turns of telegram:1; a join by time would take the second
    rated_first = AnswerFeedback(conversation_id="telegram:1", turn_id="m-tg-1", helpful=False, created_at=later)
    unknown = AnswerFeedback(conversation_id="telegram:1", turn_id="legacy-7", helpful=False, created_at=later)
    groups = analytics.group_unanswered([t for t in turns if t.sender_id == "telegram:1"], [rated_first, unknown])
    assert [(g.text, dict(g.reasons)) for g in groups] == [("làm hộ chiếu hết bao nhiêu tiền", {"👎": 1})]


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
    assert analytics.score_distribution(store.surveys(FILTERS))[1] == ("2", 1)
    assert analytics.answer_quality_overall(store.feedback(FILTERS)).helpful == wilson(1, 3)
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
