"""No personal data in any server's log, whoever writes the line (our code, Rasa, a library).

:func:`install` wraps the standard library's log-record factory, so every record is masked when it
is created (only records at an enabled level are created), before any handler, formatter or
structlog renderer sees it:

- the message itself; when it is a JSON object (Rasa's structlog lines outside a terminal, with
  Vietnamese as ``\\uXXXX`` escapes) each string in it is decoded, masked and written back;
- the traceback of a logged exception (formatted here, then masked);
- Python warnings, which Rasa uses for some messages quoting what a citizen typed, are routed
  through logging so they are masked too.

The Rasa server installs it with its tracker store, the action server with the actions package,
the web server in its ``main``.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from knowledge_base.privacy import mask_personal_data
from knowledge_base.stored_text import mask_nested

_TRACEBACKS = logging.Formatter()
# Conversation and update ids in our own "key=value" log lines are pseudonymous channel ids
# (Telegram chat ids are 9-10 digits), not personal numbers: kept so a line can be traced.
_IDS = re.compile(r"(?:\b(?:telegram|zalo):|\bupdate_id=)\d+")
_ID_SLOT = "\U000f0001"  # stands in for a kept id while the line is masked; no keyboard produces it


def mask_log_message(message: str) -> str:
    """A log line with personal data masked; a JSON line stays valid JSON."""
    stripped = message.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        try:
            return json.dumps(mask_nested(json.loads(stripped)), ensure_ascii=False)
        except ValueError:
            pass
    kept = _IDS.findall(message)
    masked = mask_personal_data(_IDS.sub(_ID_SLOT, message.replace(_ID_SLOT, "")))
    for value in kept:
        masked = masked.replace(_ID_SLOT, value, 1)
    return masked


def _masks(factory: Any) -> bool:
    return getattr(factory, "masks_personal_data", False)


def install() -> None:
    """Mask personal data in every log record and warning from now on (idempotent)."""
    logging.captureWarnings(True)
    previous = logging.getLogRecordFactory()
    if _masks(previous):
        return

    def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: leave it to the handler to report
            return record
        masked = mask_log_message(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_personal_data(_TRACEBACKS.formatException(record.exc_info))
        return record

    masking_factory.masks_personal_data = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masking_factory)
