"""The guide to online public services: entries about using the portals rather than one procedure
(VNeID accounts, paying online, digital signatures, submitting and tracking a dossier).

Entries are content as data (``knowledge_base/guides/*.yml``, one file per entry, validated by
``GUIDE_SCHEMA``), shipped with the code and read at start-up. ``GuideIndex`` answers a question
from them only when it is sure: one of the entry's keywords must be in the question and the
question must resemble the entry's own example questions clearly better than any other entry's,
so that a question about something else is never answered from the guide.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

from knowledge_base.answers import official_source_line
from knowledge_base.schema import (
    EVIDENCE_SCHEMA,
    REVIEWS_SCHEMA,
    ContentError,
    collect_errors,
    read_record,
    validate_record,
)
from knowledge_base.text import fold, words

GUIDES_DIR = Path(__file__).with_name("guides")
TOPICS = ["portal", "vneid", "payment", "signature", "submission", "tracking", "data", "help"]
# Chat-sized: an answer and its steps fit one phone screen.
MAX_ANSWER_CHARS = 500
MAX_STEP_CHARS = 200
MAX_STEPS = 8
KEYWORD_PART_BONUS = 0.1

OFFICIAL_URL = r"^https://([a-z0-9-]+\.)*gov\.vn(/|$)"

_TEXT = {"type": "string", "minLength": 1}

GUIDE_SCHEMA: Dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "topic", "title", "questions", "keywords", "answer", "source_url"],
    "properties": {
        "id": {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$"},
        "topic": {"enum": TOPICS},
        "title": {"type": "string", "minLength": 1, "maxLength": 120},
        # How citizens ask it, written by us (never copied from the evaluation sets).
        "questions": {"type": "array", "items": _TEXT, "minItems": 3},
        # At least one must be in a question for this entry to answer it; "a + b" needs both parts.
        "keywords": {"type": "array", "items": _TEXT, "minItems": 1},
        "answer": {"type": "string", "minLength": 1, "maxLength": MAX_ANSWER_CHARS},
        "steps": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": MAX_STEP_CHARS},
            "maxItems": MAX_STEPS,
        },
        # An official page: a government site (*.gov.vn).
        "source_url": {"type": "string", "pattern": OFFICIAL_URL},
        "legal_basis": {"type": "array", "items": _TEXT},
        "evidence": EVIDENCE_SCHEMA,
        # A person checked the entry against a named official source on that day.
        "reviews": REVIEWS_SCHEMA,
    },
}


@dataclass(frozen=True)
class GuideEntry:
    """One validated guide entry."""

    id: str
    topic: str
    title: str
    questions: Tuple[str, ...]
    keywords: Tuple[str, ...]
    answer: str
    steps: Tuple[str, ...]
    source_url: str
    reviewed_on: Optional[date]

    @classmethod
    def from_record(cls, record: Dict[str, Any]) -> "GuideEntry":
        reviews = [date.fromisoformat(str(review["date"])) for review in record.get("reviews", [])]
        return cls(
            id=record["id"],
            topic=record["topic"],
            title=record["title"],
            questions=tuple(record["questions"]),
            keywords=tuple(record["keywords"]),
            answer=record["answer"],
            steps=tuple(record.get("steps", [])),
            source_url=record["source_url"],
            reviewed_on=max(reviews) if reviews else None,
        )


def _entry(record: Dict[str, Any], source: str) -> GuideEntry:
    """The entry of a record that satisfies GUIDE_SCHEMA, once its keywords are checked."""
    for position, keyword in enumerate(record["keywords"]):
        if not all(_keyword_parts(keyword)):
            raise ContentError(source, f"keywords.{position}", "a keyword needs letters")
    return GuideEntry.from_record(record)


def validate_guide_record(record: Any, source: str) -> GuideEntry:
    """Validate one entry; errors name the file and the field."""
    return _entry(validate_record(record, source, GUIDE_SCHEMA), source)


def load_guide_file(path: Path) -> GuideEntry:
    """Read and validate one entry; its id must match the file name."""
    return _entry(read_record(path, GUIDE_SCHEMA), str(path))


def load_guide(directory: Path = GUIDES_DIR) -> List[GuideEntry]:
    """Every entry of ``directory``, validated, sorted by id."""
    return [load_guide_file(path) for path in sorted(directory.glob("*.yml"))]


def guide_errors(paths: Iterable[Path]) -> List[ContentError]:
    """Every error of the guide files ``paths``."""
    return collect_errors(paths, load_guide_file)


# Folded function words that carry no topic. Words that fold onto a topic word are kept:
# "the" (thẻ), "can" (căn), "ma" (mã), "tai" (tài), "ban" (bản), "do" (đổ).
STOP_WORDS = frozenset(
    """
    toi minh em anh chi co khong duoc thi la va cua cho voi cac nhung mot nay day a oi vay nao gi sao
    nhu de khi neu hay hoac ve o tren trong ra vao da dang se bi muon hoi xin nhe roi lam phai
    """.split()
)


def _terms(text: str) -> FrozenSet[str]:
    """Folded words of ``text`` without function words, and their bigrams."""
    kept = [word for word in words(text) if word not in STOP_WORDS]
    return frozenset(kept) | frozenset(f"{a} {b}" for a, b in zip(kept, kept[1:]))


def _keyword_parts(keyword: str) -> Tuple[str, ...]:
    """ "thanh toán + lỗi" -> ("thanh toan", "loi"): folded phrases that must all be present."""
    return tuple(fold(part) for part in keyword.split("+"))


def _has_keyword(folded_text: str, parts: Tuple[str, ...]) -> bool:
    padded = f" {folded_text} "
    return all(f" {part} " in padded for part in parts)


@dataclass(frozen=True)
class GuideMatch:
    """The guide's decision for a question: the entry to answer with (None when unsure), and why."""

    entry: Optional[GuideEntry]
    score: float = 0.0
    reason: str = ""


class GuideIndex:
    """Finds the guide entry a question is about, or none.

    Each entry is represented by its title and example questions; a question's score against an
    entry is the best weighted overlap (Dice, IDF weights over the guide) with one of them, plus
    KEYWORD_PART_BONUS when the keyword found has several parts (one bonus, however many). An
    entry answers only when (1) one of its keywords is in the question, (2) the score reaches
    ``min_score`` and (3) it leads every other keyword-matching entry by ``min_margin``, or, when
    two are that close, its keyword is the more specific (more parts).
    """

    def __init__(self, entries: Sequence[GuideEntry], min_score: float = 0.32, min_margin: float = 0.05) -> None:
        self.entries = {entry.id: entry for entry in entries}
        self.min_score = min_score
        self.min_margin = min_margin
        self._examples: Dict[str, List[FrozenSet[str]]] = {
            entry.id: [_terms(text) for text in (entry.title, *entry.questions)] for entry in entries
        }
        self._keywords = {entry.id: [_keyword_parts(keyword) for keyword in entry.keywords] for entry in entries}
        frequency: Counter = Counter()
        for examples in self._examples.values():
            frequency.update(frozenset().union(*examples))
        total = max(len(self.entries), 1)
        self._idf = {term: math.log(1 + total / count) for term, count in frequency.items()}
        self._unknown_idf = math.log(1 + total)

    def __len__(self) -> int:
        return len(self.entries)

    def _weight(self, terms: Iterable[str]) -> float:
        return sum(self._idf.get(term, self._unknown_idf) for term in terms)

    def ranked(self, text: str) -> List[Tuple[float, int, float, str]]:
        """(score, parts of the most specific keyword found, resemblance, entry id) for every entry
        whose keyword is in ``text``, best first. The resemblance is the best weighted overlap with
        one of the entry's examples; the score adds KEYWORD_PART_BONUS when the keyword found has
        several parts ("thanh toán + lỗi" is stronger evidence than "thanh toán")."""
        folded = fold(text)
        question = _terms(text)
        if not question:
            return []
        question_weight = self._weight(question)
        ranked = []
        for entry_id, keywords in self._keywords.items():
            matched = [len(parts) for parts in keywords if _has_keyword(folded, parts)]
            if not matched:
                continue
            resemblance = max(
                2 * self._weight(question & example) / (question_weight + self._weight(example))
                for example in self._examples[entry_id]
            )
            parts = max(matched)
            bonus = KEYWORD_PART_BONUS if parts > 1 else 0.0
            ranked.append((resemblance + bonus, parts, resemblance, entry_id))
        return sorted(ranked, reverse=True)

    def scores(self, text: str) -> List[Tuple[float, str]]:
        """(score, entry id) for every entry whose keyword is in ``text``, best first."""
        return [(score, entry_id) for score, _, _, entry_id in self.ranked(text)]

    def match(self, text: str, min_score: Optional[float] = None) -> GuideMatch:
        """The entry ``text`` asks about, when the evidence is clear (see the class docstring);
        ``min_score`` raises the bar where another answer competes (a question about the law)."""
        ranked = self.ranked(text)
        if not ranked:
            return GuideMatch(None, reason="no keyword")
        score, parts, _, best = ranked[0]
        floor = max(self.min_score, min_score or 0.0)
        if score < floor:
            return GuideMatch(None, score, f"best {best} below {floor}")
        if len(ranked) > 1 and score - ranked[1][0] < self.min_margin and parts <= ranked[1][1]:
            return GuideMatch(None, score, f"{best} and {ranked[1][3]} too close")
        return GuideMatch(self.entries[best], score, "matched")

    def related(self, entry: GuideEntry, count: int = 2) -> List[GuideEntry]:
        """Other entries of the same topic, to offer after an answer."""
        return [other for other in self.entries.values() if other.topic == entry.topic and other.id != entry.id][:count]

    def get(self, entry_id: str) -> Optional[GuideEntry]:
        return self.entries.get(entry_id)


def compose_guide_answer(entry: GuideEntry) -> str:
    """The chat-sized answer of one entry: title, short answer, numbered steps, official source."""
    lines = [entry.title if entry.title.endswith("?") else f"{entry.title}:", entry.answer]
    lines += [f"{number}. {step}" for number, step in enumerate(entry.steps, 1)]
    lines.append(official_source_line(entry.source_url, entry.reviewed_on))
    return "\n".join(lines)


def missing_help_entries(records: Iterable[Dict[str, Any]], entries: Iterable[GuideEntry]) -> List[str]:
    """'procedure: step N: help id' for every walkthrough step whose help entry does not exist."""
    known = {entry.id for entry in entries}
    return [
        f"{record['id']}: step {number}: no guide entry '{step['help']}'"
        for record in records
        for number, step in enumerate(record.get("online_steps", {}).get("steps", []), 1)
        if step.get("help") and step["help"] not in known
    ]
