"""Every log record is masked, whoever logs it: plain lines, JSON lines, tracebacks and warnings."""

import json
import logging
import warnings

import pytest

from knowledge_base import log_masking


@pytest.fixture
def masked_logging(caplog):
    original = logging.getLogRecordFactory()
    log_masking.install()
    log_masking.install()  # idempotent
    caplog.set_level(logging.INFO)
    try:
        yield caplog
    finally:
        logging.setLogRecordFactory(original)
        logging.captureWarnings(False)


def test_plain_lines_are_masked_and_ids_kept(masked_logging):
    logging.getLogger("rasa.core.channels.rest").error("failed text=%s", "cccd 001203004567 sđt 0912345678")
    logging.getLogger("bot").info("turn.failed conversation=telegram:123456789 update_id=987654321 n=%d", 5)
    assert [r.getMessage() for r in masked_logging.records] == [
        "failed text=cccd [CCCD] sđt [SĐT]",
        "turn.failed conversation=telegram:123456789 update_id=987654321 n=5",
    ]


def test_json_lines_with_escaped_vietnamese_are_masked_and_stay_json(masked_logging):
    line = json.dumps({"event": "rest.message.received.failure", "text": "tôi tên Nguyễn Văn An, sđt 0912345678"})
    assert "\\u" in line
    logging.getLogger("rasa").error(line)
    assert json.loads(masked_logging.records[0].getMessage()) == {
        "event": "rest.message.received.failure",
        "text": "tôi tên [HỌ TÊN], sđt [SĐT]",
    }


def test_tracebacks_are_masked(masked_logging):
    try:
        raise ValueError("bad message: cccd 001203004567")
    except ValueError:
        logging.getLogger("rasa").exception("processing failed")
    assert "001203004567" not in masked_logging.text and "[CCCD]" in masked_logging.records[0].exc_text


def test_warnings_are_masked(masked_logging):
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("Failed to parse arguments in line '/hoso 0912345678'")
    assert "0912345678" not in masked_logging.text and "[SĐT]" in masked_logging.text
