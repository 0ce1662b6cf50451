"""What may be stored of a citizen's text: no control characters, no personal data, bounded.

Every store that keeps citizens' words (Rasa's tracker store, the rating store) passes them
through :func:`storable_text` itself, so no writer can forget it.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from knowledge_base.privacy import mask_personal_data

# C0/C1 controls except tab and newline, zero-width and direction-override characters: they break
# CSV exports and spreadsheets, hide text in the dashboard, and no citizen needs them.
UNPRINTABLE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"  # a regex class body
_CONTROL = re.compile(f"[{UNPRINTABLE}]")
CUT_MARK = " …[đã cắt bớt]"
_EDGE = 64


def strip_control_characters(text: str) -> str:
    """``text`` without control characters (carriage returns become newlines)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def storable_text(text: Optional[str], limit: Optional[int] = None) -> Optional[str]:
    """Masked, cleaned ``text``, cut to ``limit`` characters (saying so) when it is longer."""
    if not text:
        return text
    cleaned = strip_control_characters(text)
    if limit is not None and len(cleaned) > limit:
        # Cut before masking (a margin keeps a number at the edge whole), so masking stays cheap.
        cleaned = mask_personal_data(cleaned[: limit + _EDGE])
        return cleaned[: max(0, limit - len(CUT_MARK))] + CUT_MARK if len(cleaned) > limit else cleaned
    return mask_personal_data(cleaned)


def mask_nested(value: Any) -> Any:
    """``value`` with every string in it masked, dicts and lists walked (metadata, slot values)."""
    if isinstance(value, str):
        return mask_personal_data(value)
    if isinstance(value, dict):
        return {key: mask_nested(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_nested(item) for item in value]
    return value
