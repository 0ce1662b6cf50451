"""What may be stored of a citizen's text: no control characters, no personal data, bounded.

Every store that keeps citizens' words (Rasa's tracker store, ratings, hand-off requests) passes
them through :func:`storable_text` itself, so no writer can forget it.
"""
from __future__ import annotations

import re
from typing import Optional

from knowledge_base.privacy import mask_personal_data

# C0/C1 controls except tab and newline, zero-width and direction-override characters: they break
# CSV exports and spreadsheets, hide text in the dashboard, and no citizen needs them.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
CUT_MARK = " …[đã cắt bớt]"


def strip_control_characters(text: str) -> str:
    """``text`` without control characters (carriage returns become newlines)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def storable_text(text: Optional[str], limit: Optional[int] = None) -> Optional[str]:
    """Masked, cleaned ``text``, cut to ``limit`` characters (saying so) when it is longer."""
    if not text:
        return text
    cleaned = mask_personal_data(strip_control_characters(text))
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: max(0, limit - len(CUT_MARK))] + CUT_MARK
    return cleaned
