"""The key conversations are searched by: lower case, no diacritics, đ as d, whitespace collapsed.

Officers type "ho chieu" or "HỘ CHIẾU" for "hộ chiếu", so the folded text of each message is stored
(``analytics_events.search_text``) and searched with LIKE on the folded query, the same on SQLite and
PostgreSQL. Unlike ``knowledge_base.text.fold`` it expands no abbreviations: a stored key must not
change when the editable abbreviation table does, and the migration that fills it lives in ``core``.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Optional

# The analytics event types whose text officers search: what the citizen wrote and what was replied.
SEARCHED_TYPES = frozenset({"user", "bot"})

# Đ/đ do not decompose; the Icelandic eth (Ð, U+00D0) stands in for Đ in some old Vietnamese text.
_LETTERS = str.maketrans({"đ": "d", "ð": "d"})


def fold_for_search(text: str) -> str:
    """``text`` as a search key: "Hộ  CHIẾU, Đà Nẵng" -> "ho chieu, da nang"."""
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return " ".join(plain.casefold().translate(_LETTERS).split())


def event_search_text(type_name: str, text: Any) -> Optional[str]:
    """The key an ``analytics_events`` row is found by: the folded words of a citizen's message or a
    reply; None for other events and for a button press, whose payload ("/ask_fee{...}") nobody typed
    (the rule of ``knowledge_base.text.is_button_payload``, which this layer cannot import)."""
    if type_name not in SEARCHED_TYPES or not isinstance(text, str):
        return None
    if type_name == "user" and text.lstrip().startswith("/"):
        return None
    return fold_for_search(text) or None
