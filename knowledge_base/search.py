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
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterable, List, Sequence, Set, Tuple

from knowledge_base.text import fold, normalize_text, plain_word
from knowledge_base.vocabulary import Vocabulary, load_vocabulary

# Phrases that say what the citizen wants to know, or describe their situation (family, places,
# why they travel), not which procedure. Written with
# diacritics: an accented word must match exactly ("cần" is a question word, "căn" in
# "căn cước" is not), a word typed without diacritics matches the folded form.
QUESTION_PHRASES = frozenset(
    {
        "cho em hỏi",
        "cho mình hỏi",
        "cho tôi hỏi",
        "cho cháu hỏi",
        "xin hỏi",
        "hỏi",
        "hỏi thử",
        "em",
        "mình",
        "tôi",
        "cháu",
        "anh chị",
        "anh",
        "chị",
        "bạn",
        "ơi",
        "ạ",
        "nhé",
        "nha",
        "vậy",
        "thế ạ",
        "xin chào",
        "chào",
        "cảm ơn",
        "giúp",
        "hỗ trợ",
        "hướng dẫn",
        "tư vấn",
        "được không",
        "có được không",
        "làm thế nào",
        "làm sao",
        "như thế nào",
        "thế nào",
        "ra sao",
        "như nào",
        "sao",
        "gì",
        "nào",
        "không",
        "cần",
        "những",
        "giấy tờ",
        "hồ sơ",
        "mẫu",
        "tờ khai",
        "chuẩn bị",
        "mang theo",
        "lệ phí",
        "phí",
        "bao nhiêu",
        "tiền",
        "hết",
        "tốn",
        "chi phí",
        "miễn phí",
        "bao lâu",
        "thời gian",
        "mấy ngày",
        "mất bao lâu",
        "bao giờ",
        "khi nào",
        "lâu không",
        "ngày",
        "nộp",
        "ở đâu",
        "đâu",
        "cơ quan",
        "nơi",
        "chỗ nào",
        "đến",
        "trực tuyến",
        "online",
        "qua mạng",
        "trên mạng",
        "dịch vụ công",
        "cổng dịch vụ công",
        "bước",
        "các bước",
        "quy trình",
        "trình tự",
        "làm gì",
        "điều kiện",
        "ai",
        "đối tượng",
        "thủ tục",
        "làm",
        "muốn",
        "định",
        "đi",
        "được",
        "có",
        "có thể",
        "thì",
        "còn",
        "cho",
        "với",
        "và",
        "là",
        "của",
        "về",
        "ở",
        "tại",
        "để",
        "phải",
        "mới",
        "này",
        "thủ",
        "giùm",
        "dùm",
        "bây giờ",
        "hiện nay",
        "hiện tại",
        "năm nay",
        "trước",
        "sau",
        "khi",
        "như",
        "rồi",
        "nữa",
        "luôn",
        "việc",
        "bị",
        "cái",
        "đó",
        "kia",
        "gồm",
        "nhỉ",
        "hả",
        "thế",
        "vậy thì",
        "mỗi",
        "thêm",
        "hỏi thêm",
        "thực hiện",
        "tài liệu",
        "với nhau",
        "đầu tiên",
        "như sau",
        "thắc mắc",
        "giải đáp",
        "cụ thể",
        "chi tiết",
        "đúng không",
        "phải không",
        "hay không",
        "quy định",
        "mới nhất",
        "hiện hành",
        "kết quả",
        "yêu cầu",
        "đề nghị",
        "phương thức",
        "cách thức",
        "cách",
        "thành phần",
        "vừa",
        "gia đình",
        "thành phố",
        "địa phương",
        "việt nam",
        "quốc gia",
        "hà nội",
        "đối với",
        "tỉnh thành",
        "du lịch",
        "công tác",
        "thăm thân",
        "chờ",
        "trong ngày",
        "công an",
        "ủy ban",
        "ủy ban nhân dân",
        "ubnd",
        "qua điện thoại",
        "qua bưu điện",
        "bưu điện",
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
    return typed == listed or (typed == plain_word(typed) and typed == plain_word(listed))


_QUESTION_INDEX = _build_question_index()
MIN_PHRASE_COVER = 0.55
# Longer texts (a 5,000-character message) are cut to this many content words so search
# stays fast; official names, the longest real queries, have about 50.
MAX_QUERY_TERMS = 64
# A generic syllable ("đăng", "cấp", "giấy") weighs this share of its rarity in evidence.
GENERIC_SHARE = 0.25
LONG_NAME_SYLLABLES = 6
# A syllable in more than this share of the catalogue (and at least this many records) does not
# bring candidates of its own when the message has rarer ones.
COMMON_SHARE = 0.02
COMMON_MIN_RECORDS = 50
MAX_WALKED_TERMS = 8
# Typos are only corrected in syllables at least this long (short ones have too many neighbours).
TYPO_MIN_LENGTH = 4
# How many words after "không"/"chưa" are a condition rather than the question.
NEGATION_REACH = 4
# How many generic words may separate a foreign verb or modifier from a record's words.
NEIGHBOUR_REACH = 2
# Keeps float rounding from pruning a record whose score equals the bar.
_EPSILON = 1e-9
# Numerals citizens type where names write the word ("rút bhxh 1 lần", "01 lần").
_NUMERALS = {"1": "một", "01": "một"}
_CODE = re.compile(r"\b\d\.\d{6}\b")
_WORD_CHARS = re.compile(r"\w+")


@dataclass(frozen=True)
class Hit:
    """One ranked search result."""

    id: str
    name: str
    score: float


@dataclass(frozen=True)
class Evidence:
    """How well one record explains a whole message (see :meth:`ProcedureIndex.evidence`).

    ``cover``: share of the record's best name or alias that the message holds (a long
    official name counts as covered once ``LONG_NAME_SYLLABLES`` specific syllables of it are);
    ``explained``: share of the message's specific words that the record's names and aliases
    hold; ``held``: the message's words (generic ones too, context words not) that the record's
    names and aliases hold; ``full_cover``: ``cover`` with generic syllables at full weight, which tells
    "cấp sổ đỏ lần đầu" from "cấp đổi sổ đỏ" when the specific words tie. A record can cover its name fully
    and still leave most of the message unexplained
    ("mức lương tối đa đóng bảo hiểm thất nghiệp" is not about claiming the benefit).
    """

    id: str
    name: str
    phrase: str
    cover: float
    order: float
    explained: float
    full_cover: float = 0.0
    held: FrozenSet[str] = frozenset()
    negated: bool = False
    tentative: bool = False

    @property
    def score(self) -> float:
        return round(0.5 * self.cover + 0.4 * self.explained + 0.1 * self.order, 4)


@dataclass
class _Query:
    """A message's content words as evidence compares them."""

    terms: List[str]
    bigrams: frozenset
    negated: FrozenSet[str]
    accented: Dict[str, Set[str]] = field(default_factory=lambda: defaultdict(set))

    def __post_init__(self) -> None:
        self.counts = Counter(self.terms)
        self.terms = list(dict.fromkeys(self.terms))


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
    return [folded for folded, _ in typed_content_words(text, protected)]


def typed_content_words(text: str, protected: FrozenSet[Tuple[str, str]] = frozenset()) -> List[Tuple[str, str]]:
    """:func:`content_words` paired with each word as typed (normalised, diacritics kept)."""
    return [(folded, typed) for folded, typed in tokens(text, protected) if folded]


def tokens(text: str, protected: FrozenSet[Tuple[str, str]] = frozenset()) -> List[Tuple[str, str]]:
    """The words of ``text`` in order as (folded, typed); a question phrase is one token ('', phrase).

    A one-word question phrase is kept as a content word where it is part of a name: typed
    without diacritics at the start of a name's two words ("lam can cuoc": "can" is "căn",
    not "cần"), or right after the first word of one ("chuyển đi" in a military-service name).
    """
    words = [word for word in ("".join(_WORD_CHARS.findall(word)) for word in normalize_text(text).split()) if word]
    words = [_NUMERALS.get(word, word) for word in words]
    found: List[Tuple[str, str]] = []
    i = 0
    while i < len(words):
        word = words[i]
        plain = plain_word(word)
        phrase = next(
            (
                phrase
                for phrase in _QUESTION_INDEX.get(word, ())
                if len(words) - i >= len(phrase) and all(map(_same_word, words[i : i + len(phrase)], phrase))
            ),
            None,
        )
        if phrase is not None and len(phrase) == 1:
            following = plain_word(words[i + 1]) if i + 1 < len(words) else ""
            previous = (words[i - 1] if word != plain else plain_word(words[i - 1])) if i else ""
            if (word == plain and (word, following) in protected) or (previous and (previous, word) in protected):
                phrase = None
        if phrase is None:
            found.append((plain, word))
            i += 1
        else:
            found.append(("", " ".join(words[i : i + len(phrase)])))
            i += len(phrase)
    return found


def _deletions(term: str) -> Set[str]:
    """``term`` with one letter left out, every way."""
    return {term[:i] + term[i + 1 :] for i in range(len(term))}


def proper_names(text: str) -> FrozenSet[str]:
    """Folded words written with a capital inside a sentence: places, people, brands ("Phú Nhuận")."""
    names = set()
    for sentence in re.split(r"[.!?\n]+", text):
        for word in _WORD_CHARS.findall(sentence)[1:]:
            if word[:1].isupper():
                names.add(fold(word))
    return frozenset(names)


def _bigrams(terms: Sequence[str]) -> frozenset:
    return frozenset(zip(terms, terms[1:]))


class ProcedureIndex:
    """An in-memory inverted index over procedure names, aliases and codes."""

    def __init__(
        self, records: Iterable[Dict[str, Any]], min_score: float = 0.6, vocabulary: Vocabulary | None = None
    ) -> None:
        records = list(records)
        self.min_score = min_score
        self.vocabulary = vocabulary or load_vocabulary()
        self._names: Dict[str, str] = {}
        self._codes: Dict[str, str] = {}
        self._phrases: Dict[str, List[_Phrase]] = {}
        self._postings: Dict[str, Set[str]] = defaultdict(set)
        self._forms: Dict[str, Dict[str, FrozenSet[str]]] = {}
        self._tentative: Dict[str, List[Tuple[str, ...]]] = {}
        protected: Set[Tuple[str, str]] = set()
        for record in records:
            for text in [record["name"], *record.get("aliases", [])]:
                protected |= _bigrams(fold(text).split())
                # and as written, so that "chờ" after a name's "đầu" is not its "cho"
                protected |= _bigrams(_WORD_CHARS.findall(normalize_text(text)))
        self._protected = frozenset(protected)
        raw = {record["id"]: self._add(record) for record in records}
        total = max(len(self._names), 1)
        self._idf = {term: math.log(1 + total / len(ids)) for term, ids in self._postings.items()}
        self._phrases = {
            pid: [
                _Phrase(frozenset(terms), _bigrams(terms), sum(self._idf[t] for t in set(terms)))
                for terms in phrases
                if terms
            ]
            for pid, phrases in raw.items()
        }
        self._lightest = {pid: min((p.weight for p in phrases), default=0.0) for pid, phrases in self._phrases.items()}
        self._texts = {r["id"]: [r["name"], *r.get("aliases", []), *r.get("ambiguous_aliases", [])] for r in records}
        self._weight = {term: self.term_weight(term) for term in self._postings}
        self._one_deletion: Dict[str, Set[str]] = defaultdict(set)
        for term in self._postings:
            if len(term) >= TYPO_MIN_LENGTH:
                for variant in _deletions(term):
                    self._one_deletion[variant].add(term)
        self._evidence_phrases = {
            pid: [
                (
                    i,
                    _Phrase(frozenset(terms), _bigrams(terms), sum(self._weight[t] for t in set(terms))),
                    sum(self._idf[t] for t in set(terms)),
                )
                for i, terms in enumerate([*raw[pid], *self._tentative[pid]])
                if terms
            ]
            for pid in raw
        }
        self._first_tentative = {pid: len(raw[pid]) for pid in raw}
        self._unknown_idf = math.log(1 + max(len(self._names), 1))
        # Cover of a long official name is counted against this weight: six average specific syllables.
        self._long_name_weight = LONG_NAME_SYLLABLES * math.log(1 + max(len(self._names), 1)) * 0.6
        self._lightest_evidence = {
            pid: min((min(p.weight, self._long_name_weight) for _, p, _ in phrases), default=0.0)
            for pid, phrases in self._evidence_phrases.items()
        }
        self._terms_of = {
            pid: frozenset(t for _, phrase, _ in phrases for t in phrase.terms)
            for pid, phrases in self._evidence_phrases.items()
        }

    def __len__(self) -> int:
        return len(self._names)

    def _add(self, record: Dict[str, Any]) -> List[Tuple[str, ...]]:
        """Indexes one record; returns the terms of its name and aliases (ambiguous aliases are kept
        aside in ``_tentative``: evidence from them only ever leads to a question)."""
        pid = record["id"]
        self._names[pid] = record["name"]
        if record.get("code"):
            self._codes[record["code"]] = pid
        forms: Dict[str, Set[str]] = defaultdict(set)
        phrases: List[Tuple[str, ...]] = []
        tentative: List[Tuple[str, ...]] = []
        for text, kept in [(text, phrases) for text in [record["name"], *record.get("aliases", [])]] + [
            (text, tentative) for text in record.get("ambiguous_aliases", [])
        ]:
            typed = typed_content_words(text, self._protected)
            for folded, form in typed:
                forms[folded].add(form)
            terms = tuple(folded for folded, _ in typed) or tuple(fold(text).split())
            kept.append(terms)
            for term in terms:
                self._postings[term].add(pid)
        self._tentative[pid] = tentative
        # Only the syllables a name or alias writes with diacritics can be told apart ("đổi" from "đối").
        self._forms[pid] = {
            folded: frozenset(typed) for folded, typed in forms.items() if all(form != folded for form in typed)
        }
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

    def is_generic(self, term: str) -> bool:
        """Whether a folded syllable is generic (it names no procedure on its own)."""
        return term in self.vocabulary.generic

    def is_context(self, term: str) -> bool:
        """Whether a folded syllable describes the citizen's situation (family, time, place)."""
        return term in self.vocabulary.context

    def term_weight(self, term: str) -> float:
        """Rarity of a syllable, a quarter of it for a generic one."""
        return self.idf(term) * (GENERIC_SHARE if self.is_generic(term) else 1.0)

    def code_match(self, text: str) -> str | None:
        """The record whose national code ``text`` contains ("thủ tục 1.013133 ...")."""
        match = _CODE.search(text)
        return self._codes.get(match.group()) if match else None

    def specific_terms(self, terms: Iterable[str]) -> List[str]:
        """The syllables of ``terms`` that can name a procedure: neither generic nor context words."""
        return [
            t
            for t in dict.fromkeys(terms)
            if not self.is_generic(t) and not self.is_context(t) and not any(c.isdigit() for c in t)
        ]

    def evidence(self, text: str, limit: int = 10) -> List[Evidence]:
        """Records whose name or an alias the whole message holds, best first.

        A record is a candidate only when the message holds at least ``MIN_PHRASE_COVER`` of
        the weight of one of its names or aliases *and* a specific (non-generic) syllable of
        it: "đăng ký", "cấp lại" or "công ty" alone never make a match.
        """
        stream = self._corrected(tokens(text, self._protected))
        typed = [(folded, form) for folded, form in stream if folded][:MAX_QUERY_TERMS]
        terms = [folded for folded, _ in typed]
        query = _Query(terms, _bigrams(terms), self._negated_terms(stream))
        # Words typed with diacritics, by folded form: "đối" must not match a name's "đổi".
        for folded, form in typed:
            if form != folded:
                query.accented[folded].add(form)
        names = proper_names(text)
        specific = [t for t in self.specific_terms(terms) if t not in names]
        weights = {t: self._idf.get(t, self._unknown_idf) for t in specific}
        found = self._top_evidence(query, weights, limit)
        if any(item.negated for item in found) and any(not item.negated for item in found):
            # A record named only as a condition ("khi không có giấy kết hôn"), beside one that is
            # asked about, explains its words: they are not a rival topic.
            conditions = {t for item in found if item.negated for t in item.held}
            weights = {t: w for t, w in weights.items() if t not in conditions}
            total = sum(weights.values())
            found = [item for item in (self._judge(e.id, query, weights, total) for e in found) if item]
            found.sort(key=lambda e: (-e.score, e.id))
        return found

    def _top_evidence(self, query: "_Query", weights: Dict[str, float], limit: int) -> List[Evidence]:
        """The ``limit`` best records, judged best-first by an upper bound of their score, stopping
        once no record left can enter the top."""
        total = sum(weights.values())
        bounded = self._evidence_candidates(query.terms, weights)
        bounded.sort(key=lambda item: -item[1])
        found: List[Evidence] = []
        for pid, upper in bounded:
            if len(found) >= limit and upper < found[-1].score - _EPSILON:
                break
            evidence = self._judge(pid, query, weights, total)
            if evidence is not None:
                found.append(evidence)
                found.sort(key=lambda e: (-e.score, e.id))
                del found[limit:]
        return found

    def _judge(self, pid: str, query: "_Query", weights: Dict[str, float], total: float) -> Evidence | None:
        """The evidence for one record, None when none of its names or aliases is held well enough."""
        forms = self._forms[pid]
        accented = query.accented
        usable = {
            t
            for t in query.terms
            if t not in accented or t not in forms or accented[t] & forms[t] or len(accented[t]) < query.counts[t]
        }
        best = self._best_phrase(pid, usable, query.bigrams)
        if best is None:
            return None
        cover, order, position, full = best
        held = self._terms_of[pid] & usable
        keys_held = {t for t in held if not self.is_generic(t) and not self.is_context(t)}
        # A word another record holds ("thuế", "chuyển nhượng") is a rival topic: it weighs double.
        foreign = sum(w for t, w in weights.items() if t not in held and t in self._postings)
        explained = sum(w for t, w in weights.items() if t in held) / (total + foreign) if total else 1.0
        return Evidence(
            pid,
            self._names[pid],
            self._texts[pid][position],
            round(cover, 4),
            round(order, 4),
            round(explained, 4),
            round(full, 4),
            frozenset(t for t in held if not self.is_context(t)),
            bool(keys_held) and keys_held <= query.negated,
            position >= self._first_tentative[pid],
        )

    def _evidence_candidates(self, query_terms: List[str], weights: Dict[str, float]) -> List[Tuple[str, float]]:
        """Records that could hold one of their names or aliases to ``MIN_PHRASE_COVER``, with the
        highest score each could reach.

        Only the postings of specific syllables are walked: the ``MAX_WALKED_TERMS`` rarest, and
        none in more than ``COMMON_SHARE`` of the catalogue unless the message has nothing rarer
        (generic and common syllables are in thousands of records; a match needs a rarer word). A
        record is kept if its walked syllables plus every unwalked syllable of the query could
        reach that share of its lightest name; its score is at most 0.5 + 0.1 + 0.4 x the share
        of ``weights`` it could explain.
        """
        specific = [t for t in query_terms if t in self._postings and not self.is_generic(t)]
        common = max(COMMON_MIN_RECORDS, COMMON_SHARE * len(self._names))
        by_rarity = sorted(specific, key=lambda t: (len(self._postings[t]), t))
        walked = [t for t in by_rarity if len(self._postings[t]) <= common][:MAX_WALKED_TERMS] or by_rarity[:1]
        unwalked = [t for t in query_terms if t in self._postings and t not in walked]
        slack = sum(self._weight[t] for t in unwalked)
        total = sum(weights.values())
        explained_slack = sum(weights.get(t, 0.0) for t in unwalked)
        held: Dict[str, float] = defaultdict(float)
        explained: Dict[str, float] = defaultdict(float)
        for term in walked:
            weight = self._weight[term]
            share = weights.get(term, 0.0)
            for pid in self._postings[term]:
                held[pid] += weight
                if share:
                    explained[pid] += share
        return [
            (pid, 0.6 + 0.4 * (min(1.0, (explained[pid] + explained_slack) / total) if total else 1.0))
            for pid, weight in held.items()
            if weight + slack >= MIN_PHRASE_COVER * self._lightest_evidence[pid] - _EPSILON
        ]

    def _best_phrase(
        self, pid: str, usable: Set[str], query_bigrams: frozenset
    ) -> Tuple[float, float, int, float] | None:
        """(cover, order, position, full cover) of the record's name or alias the message holds best."""
        best: Tuple[float, float, int, float] | None = None
        weight = self._weight
        for position, phrase, full_weight in self._evidence_phrases[pid]:
            matched = phrase.terms & usable
            if not matched or all(t in self.vocabulary.generic for t in matched):
                continue
            cover = min(1.0, sum(weight[t] for t in matched) / min(phrase.weight, self._long_name_weight))
            if cover < MIN_PHRASE_COVER:
                continue
            order = len(phrase.bigrams & query_bigrams) / len(phrase.bigrams) if phrase.bigrams else 1.0
            if best is None or (cover, order) > best[:2]:
                full = sum(self._idf[t] for t in matched) / min(full_weight, self._long_name_weight)
                best = (cover, order, position, min(1.0, full))
        return best

    def _corrected(self, stream: List[Tuple[str, str]]) -> List[Tuple[str, str]]:
        """One-letter typos fixed where the neighbour confirms them ("hộ chiu" -> "hộ chiếu").

        A syllable no record holds is replaced by a record syllable one edit away only when it
        then forms a two-syllable piece of some name or alias with the word before or after it.
        """
        fixed = list(stream)
        for i, (term, typed) in enumerate(stream):
            if not term or term in self._postings or len(term) < TYPO_MIN_LENGTH - 1 or not term.isalpha():
                continue
            before = fixed[i - 1][0] if i else ""
            after = stream[i + 1][0] if i + 1 < len(stream) else ""
            options = set(self._one_deletion.get(term, ()))
            for variant in _deletions(term):
                options |= self._one_deletion.get(variant, set()) | ({variant} & self._postings.keys())
            confirmed = sorted(o for o in options if (before, o) in self._protected or (o, after) in self._protected)
            if len(confirmed) == 1:
                fixed[i] = (confirmed[0], confirmed[0])
        return fixed

    def _negated_terms(self, stream: List[Tuple[str, str]]) -> FrozenSet[str]:
        """Words that only ever appear within ``NEGATION_REACH`` words after "không"/"chưa"."""
        inside: Set[str] = set()
        outside: Set[str] = set()
        left = 0
        for folded, typed in stream:
            words = [plain_word(word) for word in typed.split()]
            if any(word in self.vocabulary.negations for word in words) and (
                not folded or folded in self.vocabulary.negations
            ):
                left = NEGATION_REACH
                continue
            if not folded:
                continue
            (inside if left else outside).add(folded)
            left = max(left - 1, 0)
        return frozenset(inside - outside)

    def query_words(self, text: str) -> List[str]:
        """The words of ``text`` that could name a procedure, as typed (for a portal search link).

        Only words that are neither question, context nor name words are kept, and no word
        with a digit: an ID or phone number typed in the question never leaves in a link.
        """
        names = proper_names(text)
        return [
            typed
            for folded, typed in typed_content_words(text, self._protected)
            if not self.is_context(folded) and folded not in names and not any(c.isdigit() for c in folded)
        ]

    def foreign_neighbour(self, text: str, procedure_id: str) -> str | None:
        """A specific word right beside the record's words that the record does not hold.

        Vietnamese puts the verb before the object and modifiers after it: in "mở khóa căn
        cước" the verb and in "hộ chiếu công vụ" the modifier are not ours. Generic words
        in between are skipped; a question phrase, a context word or a name ends the look
        ("làm hộ chiếu để cháu đi", "sổ đỏ đường Nguyễn Trãi").
        """
        stream = self._corrected(tokens(text, self._protected))
        held = self._terms_of.get(procedure_id, frozenset())
        names = proper_names(text)
        anchors = [i for i, (term, _) in enumerate(stream) if term in held and not self.is_generic(term)]
        if not anchors:
            return None
        for step, start in ((1, anchors[-1] + 1), (-1, anchors[0] - 1)):
            looked = 0
            i = start
            while 0 <= i < len(stream) and looked < NEIGHBOUR_REACH:
                term, typed = stream[i]
                if term in held:
                    i += step
                    continue
                if not term or self.is_context(term) or term in names or any(c.isdigit() for c in term):
                    break
                if term in self.vocabulary.document_nouns:
                    if step == -1 and not looked:
                        return typed  # "thẻ tạm trú" is a card, not the registration
                    break  # "bản sao đơn ly hôn": what follows names the paper
                if not self.is_generic(term):
                    following = stream[i + 1][0] if i + 1 < len(stream) else ""
                    if following not in names:  # "đường Nguyễn Văn Trỗi": a street, not a kind
                        return typed
                    break
                looked += 1
                i += step
        return None

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

        def score_records(pids: Iterable[str], bar: float = 0.0) -> float:
            """Scores the unseen ``pids``; returns the bar a record must reach to enter the top ``limit``.

            The bar only rises, so a record whose best possible score (all it holds of the query
            counted as covered) is under the current bar is settled without scoring its names."""
            for pid in pids:
                if pid in scored:
                    continue
                if self._lightest[pid] > heaviest:  # every name too long: skip without a loop (halves p99)
                    scored[pid] = 0.0
                elif (
                    bar
                    and 0.6 * sum(map(self._idf.__getitem__, query_terms & self._terms_of[pid])) / query_weight + 0.4
                    < bar - _EPSILON
                ):
                    scored[pid] = 0.0
                else:
                    scored[pid] = max(
                        [
                            self._score(phrase, query_terms, query_weight, query_bigrams)
                            for phrase in self._phrases[pid]
                            if phrase.weight <= heaviest
                        ],
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
            score_records(set.intersection(*sorted(required, key=len)), bar)
        else:
            # Max-score: a record holding none of the terms taken so far can reach at most
            # 0.6 x remaining / weight + 0.4; stop once that is below the bar.
            remaining = query_weight
            for term in by_rarity:
                if 0.6 * remaining / query_weight + 0.4 < bar - _EPSILON:
                    break
                bar = score_records(self._postings.get(term, ()), bar)
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
