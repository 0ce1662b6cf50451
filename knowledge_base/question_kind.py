"""What kind of question a message is: about the law rather than a procedure, and which field it asks.

"Không đăng ký tạm trú bị phạt bao nhiêu?" names a procedure but asks about a fine: answering
with the registration checklist would be confidently wrong. Such questions get a redirect to
the national legal-information portal and free legal aid instead.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from core.contract import Field
from knowledge_base.text import is_button_payload, normalize_text, plain_word, strip_diacritics
from knowledge_base.vocabulary import Vocabulary, load_vocabulary


def _spans(words: List[str], phrase: Tuple[str, ...], exact: bool) -> List[range]:
    """Where ``phrase`` occurs in ``words``; a word typed without diacritics matches the folded
    listed word unless ``exact``."""
    size = len(phrase)
    folded_phrase = [strip_diacritics(word) for word in phrase]
    spans = []
    for start in range(len(words) - size + 1):
        window = words[start : start + size]
        if all(
            typed == listed or (not exact and typed == plain_word(typed) == plain)
            for typed, listed, plain in zip(window, phrase, folded_phrase)
        ):
            spans.append(range(start, start + size))
    return spans


def legal_phrase(text: str, vocabulary: Vocabulary | None = None, names_procedure: bool = False) -> str | None:
    """The longest legal-question phrase ``text`` contains ("xử phạt", "vi phạm", ...), or None.

    Topics such as "ly hôn" or "thừa kế" only count when the message does not name a
    procedure in full (``names_procedure``): a copy of a divorce decision is still a copy.
    """
    vocabulary = vocabulary or load_vocabulary()
    words = re.findall(r"\w+", normalize_text(text))
    checks: List[Tuple[Tuple[Tuple[str, ...], ...], bool]] = [(vocabulary.legal, False), (vocabulary.legal_exact, True)]
    if not names_procedure:
        checks.append((vocabulary.legal_topic, False))
    excused = {i for phrase in vocabulary.legal_not for span in _spans(words, phrase, False) for i in span}
    found = [
        phrase
        for phrases, exact in checks
        for phrase in phrases
        if any(not excused.issuperset(span) for span in _spans(words, phrase, exact))
    ]
    return " ".join(max(found, key=len)) if found else None


def asked_field(text: str, preferred: Optional[str], vocabulary: Vocabulary | None = None) -> Optional[str]:
    """The field the wording asks about ("ở đâu" -> agency), None when it has no cue.

    The longest cue phrase in the message decides; among fields whose cues are as long,
    ``preferred`` (the field NLU's intent asks) wins if it is one of them.
    """
    vocabulary = vocabulary or load_vocabulary()
    words = re.findall(r"\w+", normalize_text(text))
    found = [(len(phrase), field) for field, phrase in vocabulary.field_cues if _spans(words, phrase, False)]
    if not found:
        return None
    longest = max(size for size, _ in found)
    fields = sorted({field for size, field in found if size == longest})
    return preferred if preferred in fields else fields[0]


def answer_field(text: str, nlu_field: Optional[str]) -> str:
    """Which field to answer first: the wording's cue, else the field NLU's intent asks
    (``nlu_field``, None for other intents), else the summary.

    Button presses ("/ask_fee{...}") say their field exactly and are taken as they are.
    """
    if is_button_payload(text):
        return nlu_field or Field.SUMMARY
    return asked_field(text, nlu_field) or nlu_field or Field.SUMMARY
