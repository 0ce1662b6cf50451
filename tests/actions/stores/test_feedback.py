"""answer_feedback: one 👍/👎 per answered turn, changeable, its reason and masked comment."""

import pytest
from sqlalchemy.orm import sessionmaker

from actions.stores.feedback import AnswerFeedbackStore, UnknownReason
from core.db import make_engine, session_factory


def test_feedback_survives_a_restart(database_url):
    first = AnswerFeedbackStore(session_factory(database_url))
    first.rate("conv-1", "m1", "rest", False, "ho-chieu", "ask_fee")
    first.explain("conv-1", "m1", "wrong_information")
    first.comment("conv-1", "m1", "phí ghi sai")
    restarted = AnswerFeedbackStore(sessionmaker(bind=make_engine(database_url), future=True))
    [row] = restarted.for_conversation("conv-1")
    assert (row.turn_id, row.helpful, row.procedure_id, row.intent, row.channel, row.reason, row.comment) == (
        "m1",
        False,
        "ho-chieu",
        "ask_fee",
        "rest",
        "wrong_information",
        "phí ghi sai",
    )


def test_one_thumb_per_turn_however_often_it_is_sent(database_url):
    store = AnswerFeedbackStore(session_factory(database_url))
    ids = {store.rate("c", "m1", "zalo", True, "ho-chieu", "ask_fee") for _ in range(20)}
    store.rate("c", "m1", "zalo", False, "ho-chieu", "ask_fee")
    store.rate("c", "m2", "zalo", True, "khai-sinh", "ask_documents")
    rows = store.for_conversation("c")
    assert len(ids) == 1
    assert [(r.turn_id, r.procedure_id, r.helpful) for r in rows] == [
        ("m1", "ho-chieu", False),
        ("m2", "khai-sinh", True),
    ]


def test_changing_a_thumb_down_to_up_clears_its_reason_and_comment(database_url):
    store = AnswerFeedbackStore(session_factory(database_url))
    store.rate("c", "m1", "rest", False, "ho-chieu", "ask_fee")
    store.explain("c", "m1", "hard_to_understand")
    store.comment("c", "m1", "khó đọc")
    store.rate("c", "m1", "rest", True)
    [row] = store.for_conversation("c")
    # The procedure stays: a press without one (kept by the Rasa server) does not erase it.
    assert (row.helpful, row.reason, row.comment, row.procedure_id) == (True, None, None, "ho-chieu")


def test_a_reason_or_comment_needs_a_thumb_down_to_attach_to(database_url):
    store = AnswerFeedbackStore(session_factory(database_url))
    assert store.explain("c", "m1", "other") is False
    assert store.comment("c", "m1", "góp ý") is False
    store.rate("c", "m1", "rest", True)
    assert store.explain("c", "m1", "other") is False
    assert store.comment("c", "m1", "góp ý") is False
    [row] = store.for_conversation("c")
    assert (row.reason, row.comment) == (None, None)


def test_an_unknown_reason_is_never_stored(database_url):
    store = AnswerFeedbackStore(session_factory(database_url))
    store.rate("c", "m1", "rest", False)
    with pytest.raises(UnknownReason):
        store.explain("c", "m1", "rude")
    assert store.for_conversation("c")[0].reason is None


def test_comments_are_masked_and_cleaned_by_the_store(database_url):
    store = AnswerFeedbackStore(session_factory(database_url))
    store.rate("c", "m1", "rest", False)
    store.comment("c", "m1", "=gọi 0912345678\x00 lại cho tôi")
    [row] = store.for_conversation("c")
    assert row.comment == "=gọi [SĐT] lại cho tôi"


def test_a_reason_implies_a_thumb_down(database_url):
    store = AnswerFeedbackStore(session_factory(database_url))
    store.give_reason("c", "m1", "zalo", "wrong_procedure", "ho-chieu", "ask_fee")  # no 👎 pressed before
    store.rate("c", "m2", "zalo", True)
    store.give_reason("c", "m2", "zalo", "other")  # a 👍 switched to 👎 by the reason
    with pytest.raises(UnknownReason):
        store.give_reason("c", "m3", "zalo", "rude")
    rows = store.for_conversation("c")
    assert [(r.turn_id, r.helpful, r.reason, r.procedure_id) for r in rows] == [
        ("m1", False, "wrong_procedure", "ho-chieu"),
        ("m2", False, "other", None),
    ]
