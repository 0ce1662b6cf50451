"""Finding the procedure a citizen means, diacritic-insensitive and alias-aware.

The score of a procedure is how much of the query's *content* it explains
(question words such as "bao nhiêu tiền" or "cần giấy tờ gì" are removed first),
weighted by how rare each syllable is, with a smaller share for how much of the
matching name or alias the query covers. Below ``min_score`` nothing is returned:
an honest "not found" is better than a wrong procedure.
"""
from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Iterable, List, Sequence, Set, Tuple

from knowledge_base.text import fold, normalize_text, strip_diacritics

# Phrases that say what the citizen wants to know, not which procedure. Written with
# diacritics: an accented word must match exactly ("cần" is a question word, "căn" in
# "căn cước" is not), a word typed without diacritics matches the folded form.
QUESTION_PHRASES = frozenset(
    {
        "cho em hỏi", "cho mình hỏi", "cho tôi hỏi", "cho cháu hỏi", "xin hỏi", "hỏi", "hỏi thử",
        "em", "mình", "tôi", "cháu", "anh chị", "anh", "chị", "bạn", "ơi", "ạ", "nhé", "nha", "vậy", "thế ạ",
        "xin chào", "chào", "cảm ơn", "giúp", "hỗ trợ", "hướng dẫn", "tư vấn", "được không", "có được không",
        "làm thế nào", "làm sao", "như thế nào", "thế nào", "ra sao", "như nào", "sao", "gì", "nào", "không",
        "cần", "những", "giấy tờ", "hồ sơ", "mẫu", "tờ khai", "chuẩn bị", "mang theo",
        "lệ phí", "phí", "bao nhiêu", "tiền", "hết", "tốn", "chi phí", "miễn phí",
        "bao lâu", "thời gian", "mấy ngày", "mất bao lâu", "bao giờ", "khi nào", "lâu không", "ngày",
        "nộp", "ở đâu", "đâu", "cơ quan", "nơi", "chỗ nào", "đến",
        "trực tuyến", "online", "qua mạng", "trên mạng", "dịch vụ công", "cổng dịch vụ công",
        "bước", "các bước", "quy trình", "trình tự", "làm gì", "điều kiện", "ai", "đối tượng",
        "thủ tục", "làm", "muốn", "định", "đi", "được", "có", "có thể", "thì", "còn", "cho", "với", "và",
        "là", "của", "về", "ở", "tại", "để", "phải", "mới", "này", "thủ", "giùm", "dùm",
        "bây giờ", "hiện nay", "hiện tại", "năm nay", "trước", "sau", "khi", "như", "rồi", "nữa", "luôn",
        "việc", "bị", "cái", "đó", "kia", "gồm", "nhỉ", "hả", "thế", "vậy thì", "mỗi", "thêm", "hỏi thêm",
    }
)


def _build_question_index() -> Dict[str, List[Tuple[str, ...]]]:
    """Question phrases by their first word, longest first."""
    index: Dict[str, List[Tuple[str, ...]]] = defaultdict(list)
    for phrase in QUESTION_PHRASES:
        words = tuple(normalize_text(phrase).split())
        index[words[0]].append(words)
        index[fold(words[0])].append(words)
    for phrases in index.values():
        phrases.sort(key=len, reverse=True)
    return index


def _same_word(typed: str, listed: str) -> bool:
    """Exact match, or a word typed without diacritics against the folded listed word."""
    return typed == listed or (typed == strip_diacritics(typed) and typed == strip_diacritics(listed))


_QUESTION_INDEX = _build_question_index()
MIN_PHRASE_COVER = 0.55
# Longer texts (a 5,000-character message) are cut to this many content words so search
# stays fast; official names, the longest real queries, have about 50.
MAX_QUERY_TERMS = 64
# Keeps float rounding from pruning a record whose score equals the bar.
_EPSILON = 1e-9
_CODE = re.compile(r"\b\d\.\d{6}\b")
_WORD_CHARS = re.compile(r"\w+")


@dataclass(frozen=True)
class Hit:
    """One ranked search result."""

    id: str
    name: str
    score: float


@dataclass(frozen=True)
class _Phrase:
    terms: FrozenSet[str]
    bigrams: frozenset
    weight: float


def content_words(text: str, protected: FrozenSet[Tuple[str, str]] = frozenset()) -> List[str]:
    """Folded words of ``text`` without question and politeness words (longest phrase first).

    ``protected`` holds folded bigrams of procedure names: a word typed without
    diacritics that starts one is kept ("lam can cuoc": "can" is "căn", not "cần").
    """
    words = normalize_text(text).split()
    words = ["".join(_WORD_CHARS.findall(word)) for word in words]
    words = [word for word in words if word]
    kept: List[str] = []
    i = 0
    while i < len(words):
        following = strip_diacritics(words[i + 1]) if i + 1 < len(words) else ""
        ambiguous = words[i] == strip_diacritics(words[i])
        if ambiguous and (words[i], following) in protected:
            kept.append(words[i])
            i += 1
            continue
        for phrase in _QUESTION_INDEX.get(words[i], ()):
            window = words[i:i + len(phrase)]
            if len(window) == len(phrase) and all(map(_same_word, window, phrase)):
                i += len(phrase)
                break
        else:
            kept.append(strip_diacritics(words[i]))
            i += 1
    return kept


def _bigrams(terms: Sequence[str]) -> frozenset:
    return frozenset(zip(terms, terms[1:]))


class ProcedureIndex:
    """An in-memory inverted index over procedure names, aliases and codes."""

    def __init__(self, records: Iterable[Dict[str, Any]], min_score: float = 0.6) -> None:
        records = list(records)
        self.min_score = min_score
        self._names: Dict[str, str] = {}
        self._codes: Dict[str, str] = {}
        self._phrases: Dict[str, List[_Phrase]] = {}
        self._postings: Dict[str, Set[str]] = defaultdict(set)
        protected: Set[Tuple[str, str]] = set()
        for record in records:
            for text in [record["name"], *record.get("aliases", [])]:
                protected |= _bigrams(fold(text).split())
        self._protected = frozenset(protected)
        raw = {record["id"]: self._add(record) for record in records}
        total = max(len(self._names), 1)
        self._idf = {
            term: math.log(1 + total / len(ids)) for term, ids in self._postings.items()
        }
        self._phrases = {
            pid: [_Phrase(frozenset(terms), _bigrams(terms), sum(self._idf[t] for t in set(terms))) for terms in phrases]
            for pid, phrases in raw.items()
        }
        self._lightest = {pid: min((p.weight for p in phrases), default=0.0) for pid, phrases in self._phrases.items()}

    def __len__(self) -> int:
        return len(self._names)

    def _add(self, record: Dict[str, Any]) -> List[Tuple[str, ...]]:
        pid = record["id"]
        self._names[pid] = record["name"]
        if record.get("code"):
            self._codes[record["code"]] = pid
        phrases = []
        for text in [record["name"], *record.get("aliases", [])]:
            terms = tuple(content_words(text, self._protected)) or tuple(fold(text).split())
            if terms:
                phrases.append(terms)
                for term in terms:
                    self._postings[term].add(pid)
        return phrases

    def has(self, procedure_id: str) -> bool:
        """Whether ``procedure_id`` is in the index."""
        return procedure_id in self._names

    def content_words(self, text: str) -> List[str]:
        """Content words of ``text`` as this index sees them (see :func:`content_words`)."""
        return content_words(text, self._protected)

    def idf(self, term: str) -> float:
        """Rarity of a folded syllable; unknown syllables weigh the most."""
        return self._idf.get(term, math.log(1 + max(len(self._names), 1)))

    def search(self, query: str, limit: int = 5) -> List[Hit]:
        """Ranked procedures for ``query``; empty when nothing matches well."""
        code_match = _CODE.search(query)
        if code_match and code_match.group() in self._codes:
            pid = self._codes[code_match.group()]
            return [Hit(pid, self._names[pid], 1.0)]
        if query.strip() in self._names:
            return [Hit(query.strip(), self._names[query.strip()], 1.0)]
        terms = self.content_words(query)[:MAX_QUERY_TERMS]
        if not terms:
            return []
        query_terms = set(terms)
        query_weight = sum(self.idf(t) for t in query_terms)
        query_bigrams = _bigrams(terms)
        by_rarity = sorted(query_terms, key=lambda t: (-self.idf(t), t))
        scored: Dict[str, float] = {}

        # A name or alias must be covered to MIN_PHRASE_COVER by the query: heavier ones cannot match.
        heaviest = query_weight / MIN_PHRASE_COVER

        def score_records(pids: Iterable[str]) -> float:
            """Scores the unseen ``pids``; returns the bar a record must reach to enter the top ``limit``."""
            for pid in pids:
                if pid in scored:
                    continue
                if self._lightest[pid] > heaviest:  # every name too long: skip without a loop (halves p99)
                    scored[pid] = 0.0
                else:
                    scored[pid] = max(
                        [self._score(phrase, query_terms, query_weight, query_bigrams)
                         for phrase in self._phrases[pid] if phrase.weight <= heaviest],
                        default=0.0,
                    )
            best = heapq.nlargest(limit, scored.values())
            return max(self.min_score, best[-1]) if len(best) == limit else self.min_score

        # A record holding a share c of the query's weight scores at most 0.6 x c + 0.4 (see _score).
        # Scoring first the records that hold the rarest terms together raises the bar early, and
        # the bar then rules out almost every other record without scoring it.
        bar = score_records(self._richest_records(by_rarity))
        slack = query_weight * (1 - (bar - 0.4) / 0.6)
        required = [self._postings.get(t, set()) for t in by_rarity if self.idf(t) > slack + _EPSILON]
        if required:
            # Missing any term heavier than the slack keeps a record below the bar.
            score_records(set.intersection(*sorted(required, key=len)))
        else:
            # Max-score: a record holding none of the terms taken so far can reach at most
            # 0.6 x remaining / weight + 0.4; stop once that is below the bar.
            remaining = query_weight
            for term in by_rarity:
                if 0.6 * remaining / query_weight + 0.4 < bar - _EPSILON:
                    break
                bar = score_records(self._postings.get(term, ()))
                remaining -= self.idf(term)
        ranked = sorted((item for item in scored.items() if item[1] >= self.min_score), key=lambda i: (-i[1], i[0]))
        return [Hit(pid, self._names[pid], round(score, 4)) for pid, score in ranked[:limit]]

    def _richest_records(self, by_rarity: Sequence[str]) -> Set[str]:
        """Records that hold the rarest query terms together (greedy: a term that would leave none is skipped)."""
        records: Set[str] = set()
        for term in by_rarity:
            postings = self._postings.get(term)
            if not postings:
                continue
            narrowed = records & postings if records else postings
            if narrowed:
                records = narrowed
        return records

    def _score(self, phrase: _Phrase, query_terms: Set[str], query_weight: float, query_bigrams: frozenset) -> float:
        matched = phrase.terms & query_terms
        if not matched:
            return 0.0
        matched_weight = sum(map(self._idf.__getitem__, matched))
        query_cover = matched_weight / query_weight
        phrase_cover = matched_weight / phrase.weight
        if phrase_cover < MIN_PHRASE_COVER:
            # "cấp lại", "thẻ", "đăng ký" alone name no procedure: most of the name is missing.
            return 0.0
        order = len(phrase.bigrams & query_bigrams) / len(phrase.bigrams) if phrase.bigrams else phrase_cover
        return 0.6 * query_cover + 0.25 * phrase_cover + 0.15 * order
