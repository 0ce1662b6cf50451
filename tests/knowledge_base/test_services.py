import pytest
from sqlalchemy.orm import sessionmaker

from actions.stores.applications import DatabaseStatusProvider, find_application_code
from actions.stores.handoff import HandoffLog
from actions.stores.ratings import RatingOutOfRange, RatingStore
from core.db import make_engine, session_factory
from knowledge_base.privacy import mask_personal_data


def test_rating_survives_a_restart(database_url):
    first = RatingStore(session_factory(database_url))
    rating_id = first.add_score("conv-1", "rest", 4, "ho-chieu", "ask_fee")
    first.set_comment(rating_id, "nhanh gọn")
    # a new engine and store, as after a server restart
    restarted = RatingStore(sessionmaker(bind=make_engine(database_url), future=True))
    [row] = restarted.for_conversation("conv-1")
    assert (row.score, row.procedure_id, row.intent, row.channel, row.comment) == (
        4,
        "ho-chieu",
        "ask_fee",
        "rest",
        "nhanh gọn",
    )


@pytest.mark.parametrize("score", [0, 6, -1, 10])
def test_out_of_range_score_is_never_stored(database_url, score):
    store = RatingStore(session_factory(database_url))
    with pytest.raises(RatingOutOfRange):
        store.add_score("conv-2", "rest", score)
    assert store.for_conversation("conv-2") == []


def test_helpful_flag_is_stored(database_url):
    store = RatingStore(session_factory(database_url))
    store.add_helpful("conv-3", "socketio", False, "tam-tru", "ask_documents")
    [row] = store.for_conversation("conv-3")
    assert row.helpful is False and row.score is None


def test_application_status_lookup(database_url):
    provider = DatabaseStatusProvider(session_factory(database_url))
    provider.upsert("g22.39-250101-0001", "Đang giải quyết", "ho-chieu")
    status = provider.status("G22.39-250101-0001")
    assert status.status == "Đang giải quyết" and status.code == "G22.39-250101-0001"
    assert provider.status("G22.39-250101-9999") is None


def test_application_code_in_text():
    assert find_application_code("mã hồ sơ g22.39-250101-0001 ạ") == "G22.39-250101-0001"
    assert find_application_code("000.00.12.h12-250203-0007") == "000.00.12.H12-250203-0007"
    assert find_application_code("hồ sơ của tôi") is None


def test_handoff_is_recorded(database_url):
    log = HandoffLog(session_factory(database_url))
    log.record("conv-4", "telegram", "complain", "ket-hon")
    [row] = log.for_conversation("conv-4")
    assert (row.kind, row.channel, row.procedure_id) == ("complain", "telegram", "ket-hon")


@pytest.mark.parametrize(
    "raw, masked",
    [
        ("cccd của tôi là 001203004567", "cccd của tôi là [CCCD]"),
        ("cmnd 123456789", "cmnd [CMND]"),
        ("gọi 0912 345 678 nhé", "gọi [SĐT] nhé"),
        ("sđt +84 912.345.678", "sđt [SĐT]"),
        ("mail nguyen.van.a@gmail.com", "mail [EMAIL]"),
        ("mã thủ tục 1.013133", "mã thủ tục 1.013133"),
        ("phí 200.000 đồng ngày 12/05/2025", "phí 200.000 đồng ngày 12/05/2025"),
        ("hồ sơ G22.39-250101-0001", "hồ sơ G22.39-250101-0001"),
    ],
)
def test_mask_personal_data(raw, masked):
    assert mask_personal_data(raw) == masked


def test_one_service_score_per_conversation_however_often_it_is_sent(database_url):
    store = RatingStore(session_factory(database_url))
    ids = {store.add_score("stuffed", "rest", 5) for _ in range(20)}
    store.add_score("stuffed", "rest", 2)
    [row] = store.for_conversation("stuffed")
    assert len(ids) == 1 and row.score == 2


def test_one_thumb_per_answer(database_url):
    store = RatingStore(session_factory(database_url))
    for _ in range(5):
        store.add_helpful("c", "zalo", True, "ho-chieu", "ask_fee")
    store.add_helpful("c", "zalo", False, "ho-chieu", "ask_fee")
    store.add_helpful("c", "zalo", True, "khai-sinh", "ask_documents")
    rows = store.for_conversation("c")
    assert [(r.procedure_id, r.helpful) for r in rows] == [("ho-chieu", False), ("khai-sinh", True)]


def test_comments_are_masked_and_cleaned_by_the_store(database_url):
    store = RatingStore(session_factory(database_url))
    rating_id = store.add_score("c", "rest", 1)
    store.set_comment(rating_id, "=gọi 0912345678\x00 lại cho tôi")
    [row] = store.for_conversation("c")
    assert row.comment == "=gọi [SĐT] lại cho tôi"
