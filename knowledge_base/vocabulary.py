"""The resolver's word lists (``resolution_vocabulary.yml``), folded the way search compares words."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import FrozenSet, Tuple

import yaml

from knowledge_base.text import fold, normalize_text

VOCABULARY_FILE = Path(__file__).with_name("resolution_vocabulary.yml")


@dataclass(frozen=True)
class Vocabulary:
    """Generic and context syllables (folded), and legal-question phrases (normalised words)."""

    generic: FrozenSet[str]
    context: FrozenSet[str]
    legal: Tuple[Tuple[str, ...], ...]
    legal_exact: Tuple[Tuple[str, ...], ...]
    legal_not: Tuple[Tuple[str, ...], ...]
    legal_topic: Tuple[Tuple[str, ...], ...] = ()
    document_nouns: FrozenSet[str] = frozenset()
    negations: FrozenSet[str] = frozenset()
    field_cues: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()


def _syllables(items) -> FrozenSet[str]:
    return frozenset(syllable for item in items or () for syllable in fold(str(item)).split())


def _phrases(items) -> Tuple[Tuple[str, ...], ...]:
    return tuple(tuple(normalize_text(str(item)).split()) for item in items or ())


def _cues(raw) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    """(field, phrase) pairs, longest phrase first."""
    pairs = [(str(field), phrase) for field, phrases in (raw or {}).items() for phrase in _phrases(phrases)]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[1])))


@lru_cache(maxsize=4)
def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """The vocabulary in ``path`` (read once per process)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return Vocabulary(
        _syllables(raw.get("generic")),
        _syllables(raw.get("context")),
        _phrases(raw.get("legal")),
        _phrases(raw.get("legal_exact")),
        _phrases(raw.get("legal_not")),
        _phrases(raw.get("legal_topic")),
        _syllables(raw.get("document_nouns")),
        _syllables(raw.get("negations")),
        _cues(raw.get("field_cues")),
    )
