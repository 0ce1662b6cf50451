"""service_surveys: one evaluation of a service per conversation, each score 1-5 and optional."""

import pytest

from actions.stores.surveys import ScoreOutOfRange, ServiceSurveyStore
from core.db import session_factory


def test_one_survey_per_conversation(database_url):
    store = ServiceSurveyStore(session_factory(database_url))
    first = store.start("c", "s1", "telegram", "ho-chieu", "goodbye")
    assert first is not None
    assert [store.start("c", "s1", "telegram", "tam-tru", "idle") for _ in range(5)] == [None] * 5
    assert store.start("c", "s2", "telegram", "tam-tru", "idle") not in (None, first)
    rows = store.for_conversation("c")
    assert [(r.session_key, r.procedure_id, r.trigger) for r in rows] == [
        ("s1", "ho-chieu", "goodbye"),
        ("s2", "tam-tru", "idle"),
    ]


def test_scores_are_stored_as_they_come_and_may_be_skipped(database_url):
    store = ServiceSurveyStore(session_factory(database_url))
    store.start("c", "s1", "rest", "ho-chieu", "goodbye")
    assert store.answer("c", "s1", "overall", 4)
    assert store.answer("c", "s1", "time_as_promised", 2)
    assert store.answer("c", "s1", "overall", 5)  # changed
    [row] = store.for_conversation("c")
    assert (row.overall, row.finding_information, row.submitting_online, row.time_as_promised) == (5, None, None, 2)


@pytest.mark.parametrize(
    "criterion, score", [("overall", 0), ("overall", 6), ("overall", -1), ("speed", 3), ("overall", "5")]
)
def test_a_score_out_of_range_is_never_stored(database_url, criterion, score):
    store = ServiceSurveyStore(session_factory(database_url))
    store.start("c", "s1", "rest", None, "goodbye")
    with pytest.raises(ScoreOutOfRange):
        store.answer("c", "s1", criterion, score)
    assert store.for_conversation("c")[0].overall is None


def test_a_score_without_an_open_survey_is_refused(database_url):
    store = ServiceSurveyStore(session_factory(database_url))
    assert store.answer("c", "s1", "overall", 5) is False
    assert store.for_conversation("c") == []
