"""Training labels: one per message, relabelling replaces, the export reads them by intent."""

from __future__ import annotations

from core.db import session_factory
from web.dashboard.labels import LabelStore


def test_marking_a_message_again_replaces_its_label(database_url):
    labels = LabelStore(session_factory(database_url))
    labels.label(7, "zalo:1", "làm hộ chiếu mất bao lâu", "ask_fee", None, "lan")
    labels.label(7, "zalo:1", "làm hộ chiếu mất bao lâu", "ask_processing_time", "ho-chieu", "minh")
    labels.label(9, "zalo:1", "cảm ơn", "thank", None, "lan")
    labels.label(3, "rest-2", "gặp cán bộ", "request_human", None, "lan")
    mine = labels.for_conversation("zalo:1")
    assert sorted(mine) == [7, 9]
    assert (mine[7].intent, mine[7].procedure_id, mine[7].labelled_by) == ("ask_processing_time", "ho-chieu", "minh")
    assert [row.event_id for row in labels.newest_first()] == [3, 9, 7]
    assert [row.intent for row in labels.by_intent()] == ["ask_processing_time", "request_human", "thank"]
