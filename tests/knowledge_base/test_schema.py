import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from knowledge_base.schema import ContentError, load_file
from tests.conftest import PROCEDURES_DIR, ROOT

REQUIRED_IDS = """khai-sinh ket-hon khai-tu xac-nhan-tinh-trang-hon-nhan trich-luc-ho-tich nhan-cha-me-con
cai-chinh-ho-tich lien-thong-khai-sinh lien-thong-khai-tu ly-lich-tu-phap chung-thuc-ban-sao chung-thuc-chu-ky
thuong-tru tam-tru tam-vang thong-bao-luu-tru xac-nhan-cu-tru cap-the-can-cuoc doi-cap-lai-the-can-cuoc
dinh-danh-dien-tu ho-chieu dang-ky-xe sang-ten-xe doi-gplx cap-lai-gplx gplx-quoc-te cap-so-do-lan-dau
cap-doi-so-do chuyen-nhuong-dat giay-phep-xay-dung ho-kinh-doanh thanh-lap-doanh-nghiep ma-so-thue-ca-nhan
quyet-toan-thue-tncn cap-lai-the-bhyt bhxh-mot-lan tro-cap-that-nghiep bhxh-tu-nguyen tro-cap-xa-hoi
cap-ban-sao-van-bang""".split()


def test_all_required_procedures_exist_and_are_complete(curated_records):
    by_id = {r["id"]: r for r in curated_records}
    assert not set(REQUIRED_IDS) - set(by_id)
    for pid in REQUIRED_IDS:
        record = by_id[pid]
        for field in ("documents", "fees", "processing_time", "agency", "source_url"):
            assert record[field], f"{pid} lacks {field}"
        assert record["level"] != "cấp huyện"


def test_current_rules_are_reflected(curated_records):
    by_id = {r["id"]: r for r in curated_records}
    for pid in ("doi-gplx", "cap-lai-gplx", "gplx-quoc-te"):
        assert "Công an" in by_id[pid]["agency"], "driving licences are with the police since 1 March 2025"
    assert any("Luật Căn cước 2023" in law for law in by_id["cap-the-can-cuoc"]["legal_basis"])
    assert all("huyện" not in r["agency"].lower() for r in curated_records)


def test_the_five_most_harmful_audit_findings_are_fixed(curated_records):
    """The content audit of November 2026 (issue 11): wrong office, fees, forms, times, law."""
    by_id = {r["id"]: r for r in curated_records}
    criminal_record = by_id["ly-lich-tu-phap"]
    assert criminal_record["agency"].startswith("Công an") and "lltptructuyen" not in str(criminal_record)
    assert not any("244/2016" in law for law in criminal_record["legal_basis"])
    card_fees = {fee["description"].split(" (")[0]: fee["amount"] for fee in by_id["doi-cap-lai-the-can-cuoc"]["fees"]}
    assert card_fees["Cấp lại thẻ căn cước khi bị mất"] == 70000
    assert card_fees["Cấp đổi thẻ căn cước trong các trường hợp khác"] == 50000
    assert any(amount == 0 and "25, 40, 60 tuổi" in text for text, amount in card_fees.items())
    building = by_id["giay-phep-xay-dung"]
    assert not any("2014" in law for law in building["legal_basis"]) and "dưới 7 tầng" in building["eligibility"]
    lump_sum = by_id["bhxh-mot-lan"]
    assert "07 ngày làm việc" in lump_sum["processing_time"] and "14-HSB" not in str(lump_sum)
    tax_code = str(by_id["ma-so-thue-ca-nhan"]["documents"])
    assert "20-ĐK-TCT nếu tự đăng ký" not in tax_code and "người phụ thuộc" in tax_code


# A procedure's own page: the national portal's page by its id, the tax portal's by code, or the
# police portal's by its id. Home pages and the portal's generic list do not count.
OWN_PAGE = re.compile(
    r"^https://(dichvucong\.gov\.vn/thu-tuc-hanh-chinh/[0-9a-f-]{36}"
    r"|dichvucong\.gdt\.gov\.vn/tthc/homelogin/chi-tiet-tthc\?maTTHC=\d\.\d{6}"
    r"|dichvucong\.bocongan\.gov\.vn/bocongan/bothutuc/tthc\?matt=\d+)$"
)


def test_most_records_carry_their_national_code_and_own_page(curated_records):
    """The source a citizen is sent to must be the procedure's page, not a portal's home page."""
    own = [r["id"] for r in curated_records if r.get("code") and OWN_PAGE.match(r["source_url"])]
    assert len(own) >= 30, sorted(set(r["id"] for r in curated_records) - set(own))
    codes = [r["code"] for r in curated_records if r.get("code")]
    assert len(codes) == len(set(codes))


def _write(tmp_path: Path, record: dict) -> Path:
    path = tmp_path / f"{record['id']}.yml"
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    return path


def test_bad_field_is_named(tmp_path, curated_records):
    record = dict(curated_records[0])
    record["level"] = "cấp huyện"
    with pytest.raises(ContentError) as error:
        load_file(_write(tmp_path, record))
    assert error.value.field == "level"
    assert str(tmp_path) in str(error.value)


def test_missing_field_is_named(tmp_path, curated_records):
    record = dict(curated_records[0])
    del record["source_url"]
    with pytest.raises(ContentError) as error:
        load_file(_write(tmp_path, record))
    assert error.value.field == "source_url"


def test_cli_validate_reports_file_and_field(tmp_path, curated_records):
    record = dict(curated_records[0])
    record["fees"] = [{"description": "x", "amount": -5}]
    path = _write(tmp_path, record)
    result = subprocess.run(
        [sys.executable, "-m", "knowledge_base", "validate", str(tmp_path)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 1
    assert path.name in result.stderr and "fees.0.amount" in result.stderr


def test_cli_validate_passes_on_repository_content():
    result = subprocess.run(
        [sys.executable, "-m", "knowledge_base", "validate", str(PROCEDURES_DIR)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


def test_cli_load_and_export_round_trip(database_url):
    base = [sys.executable, "-m", "knowledge_base", "--database-url", database_url]
    assert subprocess.run(base + ["load"], cwd=ROOT, capture_output=True).returncode == 0
    assert subprocess.run(base + ["load"], cwd=ROOT, capture_output=True).returncode == 0
    exported = json.loads(subprocess.run(base + ["export"], cwd=ROOT, capture_output=True, text=True).stdout)
    assert set(REQUIRED_IDS) <= {r["id"] for r in exported}
    passport = next(r for r in exported if r["id"] == "ho-chieu")
    assert passport["fees"][0]["amount"] == 200000
