"""The team's tags, notes and "đã xem" marks on conversations."""

from __future__ import annotations

import pytest

from core.db import session_factory
from web.dashboard.review_notes import MAX_NOTE_CHARS, ConversationReviewStore, ReviewNoteError, clean_tag


@pytest.fixture
def store(database_url) -> ConversationReviewStore:
    return ConversationReviewStore(session_factory(database_url))


def test_a_tag_has_one_spelling_and_is_kept_once(store):
    assert store.add_tag("c1", "  Khiếu   NẠI ", "bientap") == "khiếu nại"
    store.add_tag("c1", "khiếu nại", "quantri")
    store.add_tag("c1", "cần cập nhật thủ tục", "bientap")
    store.add_tag("c2", "khiếu nại", "bientap")
    assert store.tags_of() == {"c1": ["cần cập nhật thủ tục", "khiếu nại"], "c2": ["khiếu nại"]}
    assert store.tags_of(["c2"]) == {"c2": ["khiếu nại"]}
    assert store.all_tags() == ["cần cập nhật thủ tục", "khiếu nại"]
    assert store.remove_tag("c1", "khiếu nại") and not store.remove_tag("c1", "khiếu nại")
    assert store.tags_of() == {"c1": ["cần cập nhật thủ tục"], "c2": ["khiếu nại"]}


@pytest.mark.parametrize("tag", ["", "   ", "x" * 41])
def test_empty_or_long_tags_are_refused(store, tag):
    with pytest.raises(ReviewNoteError):
        store.add_tag("c1", tag, "bientap")
    assert store.tags_of() == {}


def test_a_tag_carries_no_phone_number():
    assert "0912345678" not in clean_tag("gọi lại 0912345678")


def test_notes_are_masked_bounded_and_in_order(store):
    store.add_note("c1", "Người dân để lại số 0912 345 678, gọi lại giúp", "bientap")
    store.add_note("c1", "x" * (MAX_NOTE_CHARS + 500), "quantri")
    first, second = store.notes_of("c1")
    assert "0912 345 678" not in first.text and "[SĐT]" in first.text and first.author == "bientap"
    assert len(second.text) <= MAX_NOTE_CHARS and second.text.endswith("[đã cắt bớt]")
    assert first.at.tzinfo is not None and store.notes_of("c2") == []
    with pytest.raises(ReviewNoteError):
        store.add_note("c1", " \n ", "bientap")


def test_seen_is_marked_remarked_and_unmarked(store):
    assert store.seen() == {}
    store.mark_seen("c1", "bientap")
    first = store.seen()["c1"]
    store.mark_seen("c1", "quantri")
    again = store.seen(["c1"])["c1"]
    assert (first.seen_by, again.seen_by) == ("bientap", "quantri") and again.seen_at >= first.seen_at
    store.unmark_seen("c1")
    assert store.seen() == {}
