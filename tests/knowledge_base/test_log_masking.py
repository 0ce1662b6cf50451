"""Every log record is masked, whoever logs it."""
import logging

from knowledge_base import log_masking


def test_log_records_are_masked(caplog):
    original = logging.getLogRecordFactory()
    log_masking.install()
    log_masking.install()  # idempotent
    try:
        check_masked(caplog)
    finally:
        logging.setLogRecordFactory(original)


def check_masked(caplog):
    with caplog.at_level(logging.INFO):
        logging.getLogger("rasa.core.channels.rest").error("failed text=%s", "cccd 001203004567 sđt 0912345678")
        logging.getLogger("any").info("no personal data %d", 5)
    assert caplog.records[0].getMessage() == "failed text=cccd [CCCD] sđt [SĐT]"
    assert "001203004567" not in caplog.text and "0912345678" not in caplog.text
    assert caplog.records[1].getMessage() == "no personal data 5"
