"""Vietnamese text normalisation shared by the NLU pipeline and knowledge-base search.

Citizens type on phones: NFD from Apple keyboards, old or new tone placement,
teencode ("ko", "dc", "hs"), and often no diacritics at all. Everything that
compares Vietnamese text goes through this module so NLU and search agree.

Only the standard library and PyYAML are used here: the action server must not
depend on Rasa.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

ABBREVIATIONS_FILE = Path(__file__).with_name("abbreviations.yml")

# Combining marks count as word characters so NFD input ("a" + U+0301) stays one word.
_WORD = re.compile(r"[\w\u0300-\u036f]+", re.UNICODE)

# Old-style placement ("hoà", "thuỷ") to the common one ("hòa", "thủy"): only when the
# syllable ends in the vowel pair, and never after "q" ("quý" keeps its mark).
_TONE_FIXES = {
    "oà": "òa",
    "oá": "óa",
    "oả": "ỏa",
    "oã": "õa",
    "oạ": "ọa",
    "oè": "òe",
    "oé": "óe",
    "oẻ": "ỏe",
    "oẽ": "õe",
    "oẹ": "ọe",
    "uỳ": "ùy",
    "uý": "úy",
    "uỷ": "ủy",
    "uỹ": "ũy",
    "uỵ": "ụy",
}


@lru_cache(maxsize=1)
def abbreviations() -> Dict[str, str]:
    """The abbreviation table, keys lower-cased and NFC."""
    with ABBREVIATIONS_FILE.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    return {
        unicodedata.normalize("NFC", str(key)).lower(): unicodedata.normalize("NFC", str(value))
        for key, value in raw.items()
    }


def fix_tone_placement(word: str) -> str:
    """Move an old-style tone mark in a final "oa/oe/uy" to the first vowel."""
    if len(word) >= 2 and word[-2:] in _TONE_FIXES and not word[:-2].endswith("q"):
        return word[:-2] + _TONE_FIXES[word[-2:]]
    return word


def normalize_word(word: str) -> str:
    """Normalise one word: NFC, lower case, tone placement, abbreviation expansion."""
    word = unicodedata.normalize("NFC", word).lower()
    expanded = abbreviations().get(word)
    if expanded is not None:
        return expanded
    return fix_tone_placement(word)


@dataclass(frozen=True)
class Segment:
    """A stretch of the original text and where it landed in the normalised text."""

    orig_start: int
    orig_end: int
    norm_start: int
    norm_end: int


@dataclass(frozen=True)
class Normalized:
    """Normalised text plus the alignment needed to move entity offsets."""

    text: str
    segments: Tuple[Segment, ...]

    def map_start(self, position: int) -> int:
        """Where an entity starting at ``position`` in the original starts now."""
        for seg in self.segments:
            if seg.orig_start <= position < seg.orig_end:
                return seg.norm_start + self._offset_inside(seg, position)
        return len(self.text)

    def map_end(self, position: int) -> int:
        """Where an entity ending at ``position`` in the original ends now."""
        for seg in self.segments:
            if seg.orig_start < position <= seg.orig_end:
                if position == seg.orig_end:
                    return seg.norm_end
                return seg.norm_start + self._offset_inside(seg, position)
        return 0

    @staticmethod
    def _offset_inside(seg: Segment, position: int) -> int:
        same_length = (seg.orig_end - seg.orig_start) == (seg.norm_end - seg.norm_start)
        return position - seg.orig_start if same_length else 0


def normalize(text: str) -> Normalized:
    """Normalise a message and keep the alignment to the original characters."""
    pieces: List[str] = []
    segments: List[Segment] = []
    cursor = 0
    out_len = 0

    def emit(orig_start: int, orig_end: int, piece: str) -> None:
        nonlocal out_len
        pieces.append(piece)
        segments.append(Segment(orig_start, orig_end, out_len, out_len + len(piece)))
        out_len += len(piece)

    for match in _WORD.finditer(text):
        if match.start() > cursor:
            gap = text[cursor : match.start()]
            emit(cursor, match.start(), unicodedata.normalize("NFC", gap).lower())
        emit(match.start(), match.end(), normalize_word(match.group()))
        cursor = match.end()
    if cursor < len(text):
        emit(cursor, len(text), unicodedata.normalize("NFC", text[cursor:]).lower())
    return Normalized("".join(pieces), tuple(segments))


def normalize_text(text: str) -> str:
    """Normalised text only (see :func:`normalize`)."""
    return normalize(text).text


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics: "Đăng ký" -> "Dang ky"."""
    decomposed = unicodedata.normalize("NFD", text)
    without_marks = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return without_marks.replace("đ", "d").replace("Đ", "D")


@lru_cache(maxsize=65536)
def plain_word(word: str) -> str:
    """One word without diacritics, cached: names and messages repeat the same few thousand words."""
    return strip_diacritics(word)


def fold(text: str) -> str:
    """The comparison key: normalised, then without diacritics, whitespace collapsed."""
    folded = strip_diacritics(normalize_text(text))
    return " ".join(_WORD.findall(folded))


def words(text: str) -> List[str]:
    """Folded words of a text, in order."""
    return fold(text).split()


def is_button_payload(text: str) -> bool:
    """A button press or a typed intent ("/ask_fee{...}"), not words a citizen wrote."""
    return text.lstrip().startswith("/")
