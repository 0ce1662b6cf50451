import json
import subprocess
import sys

import pytest

from core.db import session_factory
from knowledge_base.national_import import NationalRecordError, read_national_file
from knowledge_base.repository import ProcedureRepository
from knowledge_base.search import ProcedureIndex
from tests.conftest import NATIONAL_SAMPLE, ROOT


def test_record_conversion_keeps_official_facts():
    record = read_national_file(NATIONAL_SAMPLE / "1.013133.json")
    assert record["id"] == record["code"] == "1.013133"
    assert record["name"] == "Thủ tục đăng ký nghĩa vụ quân sự lần đầu"
    assert record["level"] == "cấp xã"
    assert record["channels"] == ["trực tiếp", "trực tuyến"]  # the source's word: not "một phần"
    assert record["documents"][0] == {
        "name": "Phiếu tự khai sức khỏe nghĩa vụ quân sự",
        "copy": "bản chính",
        "count": 1,
    }
    assert record["fees"][0]["amount"] == 0
    assert record["steps"][0].startswith("Bước 1")
    assert record["source_url"] == "https://dichvucong.gov.vn/tim-kiem-thu-tuc-hanh-chinh?keyword=1.013133"
    assert "Quyết định số 6375/QĐ-BQP" in record["legal_basis"]


def test_malformed_file_is_reported(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(NationalRecordError):
        read_national_file(bad)
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"metadata": {}}), encoding="utf-8")
    with pytest.raises(NationalRecordError):
        read_national_file(empty)


def test_cli_imports_sample_skips_malformed_and_search_finds_record(tmp_path, loaded_database):
    broken = tmp_path / "broken.json"
    broken.write_text("[]", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "knowledge_base",
            "--database-url",
            loaded_database,
            "import",
            str(NATIONAL_SAMPLE),
            str(broken),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "imported 207 procedures, skipped 1" in result.stdout
    assert "broken.json" in result.stderr
    records = ProcedureRepository(session_factory(loaded_database)).all_records()
    assert len(records) == 207 + 40
    search = subprocess.run(
        [
            sys.executable,
            "-m",
            "knowledge_base",
            "--database-url",
            loaded_database,
            "search",
            "đăng ký nghĩa vụ quân sự lần đầu",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert search.stdout.splitlines()[0].split("\t")[0] == "1.013133"
    index = ProcedureIndex(records)
    assert index.search("lam ho chieu het bao nhieu tien")[0].id == "ho-chieu"


def test_a_long_official_name_gets_the_short_alias_citizens_use():
    from knowledge_base.national_import import short_alias

    assert short_alias("cấp phép bay đối với tàu bay không người lái và các phương tiện bay siêu nhẹ") == "cấp phép bay"
    assert (
        short_alias("đăng ký nghĩa vụ quân sự chuyển đi khi thay đổi nơi cư trú")
        == "đăng ký nghĩa vụ quân sự chuyển đi"
    )
    assert short_alias("đăng ký nghĩa vụ quân sự lần đầu") is None  # already short
    assert short_alias("thẩm định, phê duyệt hồ sơ thiết kế xe cơ giới") is None  # head too vague
