import pytest

from actions.stores.applications import DatabaseStatusProvider, find_application_code
from actions.stores.handoff import HandoffQueue
from core.db import session_factory
from knowledge_base.privacy import mask_personal_data


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
    log = HandoffQueue(session_factory(database_url))
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
