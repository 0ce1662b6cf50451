"""No personal data in any server's log, whoever writes the line (our code, Rasa, a library).

:func:`install` wraps the standard library's log-record factory, so every record is masked when it
is created (only records at an enabled level are created), before any handler, formatter or
structlog renderer sees it. The Rasa server installs it with its tracker store, the action server
with the actions package, the web server in its ``main``.
"""
from __future__ import annotations

import logging
from typing import Any

from knowledge_base.privacy import mask_personal_data


def _masks(factory: Any) -> bool:
    return getattr(factory, "masks_personal_data", False)


def install() -> None:
    """Mask personal data in every log record from now on (idempotent)."""
    previous = logging.getLogRecordFactory()
    if _masks(previous):
        return

    def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: leave it to the handler to report
            return record
        masked = mask_personal_data(message)
        if masked != message:
            record.msg, record.args = masked, None
        return record

    masking_factory.masks_personal_data = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masking_factory)
