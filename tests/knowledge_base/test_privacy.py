"""Masking corpus: Vietnamese personal-data formats, and look-alikes that must survive."""
import pytest

from knowledge_base.privacy import mask_personal_data

PERSONAL = [
    ("số căn cước 001203004567", "số căn cước [CCCD]"),
    ("CCCD:079095001234.", "CCCD:[CCCD]."),
    ("cmnd cũ 123456789 bị mất", "cmnd cũ [CMND] bị mất"),
    ("gọi em 0912345678", "gọi em [SĐT]"),
    ("gọi em 0912345678.", "gọi em [SĐT]."),
    ("sđt 0912 345 678 nhé", "sđt [SĐT] nhé"),
    ("sdt 0912.345.678", "sdt [SĐT]"),
    ("số 091-234-5678", "số [SĐT]"),
    ("+84 912 345 678", "[SĐT]"),
    ("+84912345678", "[SĐT]"),
    ("84912345678", "[SĐT]"),
    ("máy bàn 024 3823 4567", "máy bàn [SĐT]"),
    ("mail nguyen.van.a@gmail.com giúp em", "mail [EMAIL] giúp em"),
    ("Email: Tran_Thi.B+dvc@ubnd.hanoi.gov.vn", "Email: [EMAIL]"),
    ("cccd 001203004567 và sđt 0987654321", "cccd [CCCD] và sđt [SĐT]"),
]

SURVIVES = [
    "mã thủ tục 1.013133",
    "hồ sơ G22.39-250101-0001",
    "hồ sơ 000.00.12.H12-250203-0007",
    "lệ phí 200.000 đồng",
    "phí 1.500.000 đồng",
    "ngày 12/05/2025",
    "lúc 08:30 ngày 01-07-2025",
    "Quyết định số 6375/QĐ-BQP",
    "Luật 78/2015/QH13",
    "năm 2025 có 365 ngày",
    "biển số 29A-123.45",
    "số nhà 12 ngõ 34",
]


@pytest.mark.parametrize("raw, masked", PERSONAL)
def test_personal_data_is_masked(raw, masked):
    assert mask_personal_data(raw) == masked


@pytest.mark.parametrize("text", SURVIVES)
def test_look_alikes_survive(text):
    assert mask_personal_data(text) == text


def test_masking_is_idempotent():
    once = mask_personal_data("cccd 001203004567 sđt 0912345678 a@b.vn")
    assert mask_personal_data(once) == once
