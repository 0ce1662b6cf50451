"""Deciding which procedure a message is about, as one decision over the whole message.

The decision, in order (README "How a message is resolved"):

1. A button press (``/ask_fee{"procedure": "ho-chieu"}``) names its procedure by id: answer it.
   Personal numbers, and the words introducing them, are then removed from the text.
2. The national code typed in the message ("1.013133") names its record.
3. A question about the law (a fine, an offence, a dispute) is not a procedure question: LEGAL.
4. Evidence: every record whose name or an alias the message holds, weighted by how specific
   each syllable is across the catalogue (:meth:`ProcedureIndex.evidence`); records named only
   as a condition ("khi không có …") or holding less of the message than another are dropped,
   and a word right beside the winner's name that it does not hold blocks the answer. DIET's
   ``procedure`` fragments only break a tie between records the whole message already supports.
5. Three outcomes: FOUND (a clear winner that explains the message), AMBIGUOUS (close
   candidates, offered as buttons), NOT_FOUND (the message names something we do not hold,
   or something beside the record that the record does not explain).
6. A message that names nothing (only question words, generic or context words) is a
   follow-up about the procedure under discussion, or NOT_MENTIONED.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Sequence

from knowledge_base.privacy import mask_personal_data
from knowledge_base.question_kind import legal_phrase
from knowledge_base.search import Evidence, Hit, ProcedureIndex
from knowledge_base.text import is_button_payload

FOUND = "found"
AMBIGUOUS = "ambiguous"
NOT_FOUND = "not_found"
NOT_MENTIONED = "not_mentioned"
LEGAL = "legal_question"

MAX_CHOICES = 3
FULLY_NAMED = 0.95


@dataclass(frozen=True)
class ResolverPolicy:
    """Thresholds of the decision, chosen on the development sets (README: trade-off table)."""

    # A winner's evidence score (0..1) must reach this to be answered.
    answer_score: float = 0.75
    # Candidates within this much of the best are close: the citizen chooses.
    margin: float = 0.08
    # Share of the message's specific words that the winner must explain.
    min_explained: float = 0.4
    # Share of the winner's name or alias that the message holds, and holds in order.
    min_cover: float = 0.8
    min_order: float = 0.5


@dataclass(frozen=True)
class Resolution:
    """Outcome of resolving a message to a procedure."""

    status: str
    procedure_id: Optional[str] = None
    choices: List[Hit] = field(default_factory=list)
    reason: str = ""


# A document name right before a masked number introduces the number ("cccd 0012...", "số hộ
# chiếu C1234567"): the citizen is giving their number, not naming a procedure.
_NUMBER_LEAD_IN = re.compile(
    r"(?:\b(?:số|mã)\s+)?(?:\b(?:cccd|cmnd|cmt|căn cước(?: công dân)?|chứng minh(?: nhân dân| thư)?|hộ chiếu|passport|"
    r"sđt|số điện thoại|điện thoại|stk|số tài khoản|tài khoản|email|mail)\s*(?:số|là|:)?\s*)?\[[^\]]*\]",
    re.IGNORECASE,
)


def without_personal_numbers(text: str) -> str:
    """``text`` with personal numbers and e-mails masked and removed, with the words introducing them."""
    return _NUMBER_LEAD_IN.sub(" ", mask_personal_data(text))


def _hits(evidence: Sequence[Evidence]) -> List[Hit]:
    return [Hit(item.id, item.name, item.score) for item in evidence[:MAX_CHOICES]]


def _undominated(evidence: Sequence[Evidence]) -> List[Evidence]:
    """Drops a record when another holds every word of the message it holds, and more.

    "cấp lại thẻ căn cước" holds "cấp lại" beside "thẻ căn cước": the renewal record holds
    all of it, the first-card record only "thẻ căn cước", so only renewal stays.
    """
    return [item for item in evidence if not any(item.held < other.held for other in evidence)]


def _fully_named(evidence: Sequence[Evidence]) -> List[Evidence]:
    """Records named in full and in order, generic words included ("cấp sổ đỏ lần đầu", not "cấp đổi sổ đỏ").

    One that explains far less of the message than another is dropped: "cuối năm" typed
    without diacritics also spells "cưới", which names marriage, but nothing else of it.
    """
    named = [
        item for item in evidence if item.full_cover >= FULLY_NAMED and item.order >= FULLY_NAMED and not item.tentative
    ]
    best = max((item.explained for item in named), default=0.0)
    return [item for item in named if item.explained >= best / 2]


def _fragment_choice(index: ProcedureIndex, close: Sequence[Evidence], fragments: Sequence[str]) -> Optional[str]:
    """The one close candidate that DIET's fragments point to, if exactly one."""
    ids = {item.id for item in close}
    pointed = set()
    for fragment in fragments:
        if index.has(fragment):
            pointed.add(fragment)
        else:
            pointed.update(hit.id for hit in index.search(fragment, limit=1))
    agreeing = ids & pointed
    return agreeing.pop() if len(agreeing) == 1 else None


def resolve_procedure(
    index: ProcedureIndex,
    text: str,
    entity_values: Iterable[str] = (),
    current_id: Optional[str] = None,
    policy: ResolverPolicy = ResolverPolicy(),
) -> Resolution:
    """Resolve ``text`` (with DIET's ``procedure`` entity values) against ``index``.

    Answering about a procedure that was not asked about is worse than saying "I don't
    know": every doubt ends in AMBIGUOUS or NOT_FOUND, never in the current procedure.
    """
    fragments = [value.strip() for value in entity_values if value and value.strip()]
    if is_button_payload(text):
        for value in fragments:
            if index.has(value):
                return Resolution(FOUND, procedure_id=value, reason="button")
    text = without_personal_numbers(text)
    coded = index.code_match(text)
    if coded:
        return Resolution(FOUND, procedure_id=coded, reason="code")
    evidence = index.evidence(text)
    phrase = legal_phrase(text, names_procedure=bool(_fully_named(evidence)))
    if phrase:
        return Resolution(LEGAL, reason=f"legal:{phrase}")
    specific = index.specific_terms(index.content_words(text))
    if not evidence:
        if specific:
            return Resolution(NOT_FOUND, reason="no record holds the words asked")
        if current_id and index.has(current_id):
            return Resolution(FOUND, procedure_id=current_id, reason="follow-up")
        return Resolution(NOT_MENTIONED)
    if current_id and not specific and any(item.id == current_id for item in evidence):
        return Resolution(FOUND, procedure_id=current_id, reason="follow-up")
    asked = [item for item in evidence if not item.negated]
    evidence = _undominated(asked or evidence)
    named = _fully_named(evidence)
    if named:
        close = named
    else:
        close = [item for item in evidence if item.score >= evidence[0].score - policy.margin]
    if len(close) > 1:
        # "giấy phép kinh doanh rượu": a word beside the name that no candidate holds rules them all out.
        plausible = [item for item in close if not index.foreign_neighbour(text, item.id)]
        if not plausible:
            return Resolution(NOT_FOUND, reason="every close candidate has a foreign neighbour")
        close = plausible
    if len(close) > 1:
        chosen = _fragment_choice(index, close, fragments)
        if chosen is None:
            return Resolution(AMBIGUOUS, choices=_hits(close), reason="close candidates")
        close = [item for item in close if item.id == chosen]
    top = close[0]
    if top.explained < policy.min_explained:
        return Resolution(NOT_FOUND, reason=f"{top.id} leaves the message unexplained")
    if top.tentative:
        return Resolution(AMBIGUOUS, choices=_hits([top]), reason=f"ambiguous alias:{top.phrase}")
    if top.score < policy.answer_score or top.cover < policy.min_cover or top.order < policy.min_order:
        return Resolution(AMBIGUOUS, choices=_hits([top]), reason="weak evidence")
    neighbour = index.foreign_neighbour(text, top.id)
    if neighbour:
        # "hộ chiếu công vụ" is another kind of passport: offer ours, do not answer for it.
        return Resolution(AMBIGUOUS, choices=_hits([top]), reason=f"variant:{neighbour}")
    return Resolution(FOUND, procedure_id=top.id, reason=f"evidence:{top.phrase}")
