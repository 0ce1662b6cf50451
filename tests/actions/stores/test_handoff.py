"""The officers' queue: one open request per conversation, one owner, honest figures; callbacks encrypted."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from cryptography.fernet import Fernet
from sqlalchemy import select

from actions.stores.callbacks import CallbackStore
from actions.stores.handoff import ANSWERED, CLOSED, NEW, TAKEN, HandoffQueue
from actions.stores.tables import CallbackRequest, HandoffRequest
from core.db import session_factory
from core.field_cipher import FieldCipher
from core.settings import VIETNAM_TIME


def queue_of(database_url: str) -> HandoffQueue:
    return HandoffQueue(session_factory(database_url))


def test_asking_twice_keeps_one_open_request_and_a_complaint_needs_no_officer(database_url):
    queue = queue_of(database_url)
    first = queue.open_request("telegram:1", "telegram", "ho-chieu")
    again = queue.open_request("telegram:1", "telegram")
    assert first.id == again.id and first.status == NEW and first.procedure_id == "ho-chieu"
    complaint = queue.get(queue.record("telegram:1", "telegram", "complain"))
    assert complaint.status == CLOSED
    assert [t.id for t in queue.queue()] == [first.id]  # complaints are not in the officers' queue


def test_only_one_officer_can_take_a_request(database_url):
    queue = queue_of(database_url)
    ticket = queue.open_request("zalo:7", "zalo")
    other = HandoffQueue(session_factory(database_url))  # another web server on the same database
    assert queue.take(ticket.id, "canbo1") is True
    assert other.take(ticket.id, "canbo2") is False
    taken = queue.get(ticket.id)
    assert (taken.status, taken.owner) == (TAKEN, "canbo1") and taken.taken_at is not None
    assert queue.is_taken("zalo:7") and not queue.is_taken("zalo:8")


def test_a_failed_join_puts_the_request_back_and_only_the_owner_hands_back(database_url):
    queue = queue_of(database_url)
    ticket = queue.open_request("rest-1", "rest")
    queue.take(ticket.id, "canbo1")
    queue.untake(ticket.id, "canbo1")
    assert queue.get(ticket.id).status == NEW and queue.get(ticket.id).owner is None
    queue.take(ticket.id, "canbo2")
    assert queue.hand_back(ticket.id, "canbo1") is False
    assert queue.hand_back(ticket.id, "canbo2") is True
    assert queue.get(ticket.id).status == ANSWERED and not queue.is_taken("rest-1")
    # Handed back, the conversation's next request for a person is a new one.
    assert queue.open_request("rest-1", "rest").id != ticket.id


def test_a_callback_offer_is_made_once_and_never_on_a_taken_request(database_url):
    queue = queue_of(database_url)
    waiting = queue.open_request("a", "rest")
    assert queue.offer_callback(waiting.id) is True
    assert queue.offer_callback(waiting.id) is False
    taken = queue.open_request("b", "rest")
    queue.take(taken.id, "canbo1")
    assert queue.offer_callback(taken.id) is False


def test_callback_numbers_are_encrypted_and_deleted_when_the_request_is_closed(database_url):
    sessions = session_factory(database_url)
    queue, callbacks = HandoffQueue(sessions), CallbackStore(sessions, FieldCipher(Fernet.generate_key().decode()))
    ticket = queue.open_request("telegram:9", "telegram")
    expected = datetime(2026, 12, 7, 7, 30, tzinfo=VIETNAM_TIME)
    callbacks.save(ticket.id, "0912345678", expected)
    with sessions() as session:
        row = session.execute(select(CallbackRequest)).scalar_one()
        assert "0912345678" not in row.phone_encrypted and row.phone_hint == "678"
    assert callbacks.number(ticket.id) == "0912345678"
    listed = queue.queue()[0]
    assert listed.has_callback and listed.callback_expected_by == expected
    assert queue.close(ticket.id) is True
    assert callbacks.number(ticket.id) is None
    with sessions() as session:
        row = session.execute(select(CallbackRequest)).scalar_one()
        assert row.phone_encrypted is None and row.deleted_at is not None


def test_figures_count_requests_per_vietnam_day_the_median_wait_and_the_share_answered(database_url):
    sessions = session_factory(database_url)
    queue = HandoffQueue(sessions)
    # 23:30 on 19/11 in Hà Nội is 16:30 UTC: it counts on the 19th.
    start = datetime(2026, 11, 19, 16, 30, tzinfo=timezone.utc)
    waits = [timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=30)]
    for n, wait in enumerate(waits + [None]):
        ticket = queue.open_request(f"c{n}", "rest")
        with sessions() as session, session.begin():
            row = session.get(HandoffRequest, ticket.id)
            row.created_at = start + timedelta(hours=n * 8)
            if wait is not None:
                row.status, row.owner, row.taken_at = TAKEN, "canbo1", row.created_at + wait
        if n < 2:
            queue.replied(ticket.id)
    figures = queue.figures(date(2026, 11, 19), date(2026, 11, 21))
    assert figures.per_day == {date(2026, 11, 19): 1, date(2026, 11, 20): 3}
    assert figures.total == 4 and figures.answered == 2 and figures.answered_share == 0.5
    assert figures.median_wait == timedelta(minutes=4) and figures.waits_measured == 3
    assert queue.figures(date(2026, 1, 1), date(2026, 1, 2)).answered_share is None
