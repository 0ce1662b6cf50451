"""Deciding which procedure a message is about: named, ambiguous, unknown or a follow-up."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, List, Optional

from knowledge_base.search import Hit, ProcedureIndex

FOUND = "found"
AMBIGUOUS = "ambiguous"
NOT_FOUND = "not_found"
NOT_MENTIONED = "not_mentioned"

AMBIGUITY_MARGIN = 0.05
MAX_CHOICES = 3


@dataclass(frozen=True)
class Resolution:
    """Outcome of resolving a message to a procedure."""

    status: str
    procedure_id: Optional[str] = None
    choices: List[Hit] = field(default_factory=list)


def _from_hits(hits: List[Hit]) -> Resolution:
    top = hits[0]
    close = [hit for hit in hits if hit.score >= top.score - AMBIGUITY_MARGIN]
    if len(close) > 1:
        return Resolution(AMBIGUOUS, choices=close[:MAX_CHOICES])
    return Resolution(FOUND, procedure_id=top.id)


def resolve_procedure(
    index: ProcedureIndex,
    text: str,
    entity_values: Iterable[str] = (),
    current_id: Optional[str] = None,
) -> Resolution:
    """Resolve ``text`` (with DIET's ``procedure`` entity values) against ``index``.

    A message that names nothing procedure-like is a follow-up about ``current_id``.
    A message that names something we do not know is NOT_FOUND, never the current
    procedure: answering about a procedure that was not asked about is worse than
    saying "I don't know".
    """
    values = [value for value in entity_values if value and value.strip()]
    for value in values:
        if index.has(value):
            return Resolution(FOUND, procedure_id=value)
    for value in values:
        hits = index.search(value)
        if hits:
            return _from_hits(hits)
    content = index.content_words(text)
    hits = index.search(text) if content else []
    if hits:
        return _from_hits(hits)
    # One leftover word ("vậy", a stray entity) is chatter; two or more name something we lack.
    if len(content) >= 2 or any(len(index.content_words(value)) >= 2 for value in values):
        return Resolution(NOT_FOUND)
    if current_id and index.has(current_id):
        return Resolution(FOUND, procedure_id=current_id)
    return Resolution(NOT_MENTIONED)
