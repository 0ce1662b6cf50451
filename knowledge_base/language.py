"""Telling a message written in English from Vietnamese typed without diacritics.

The content is Vietnamese only; a citizen who writes in English is told so, politely, in English
(actions say ``utter_english_note``). Only words that are not also Vietnamese syllables typed
without marks count ("can" is "cần", "the" is "thẻ", "do" is "do/đó"), so "lam the can cuoc" is
never taken for English.
"""

from __future__ import annotations

import re

from knowledge_base.text import is_button_payload

# English words that are not Vietnamese syllables typed without marks. Loanwords Vietnamese
# citizens use ("online", "visa", "passport") and "me"/"my"/"am" (mẹ, Mỹ, âm) are left out.
ENGLISH_WORDS = frozenset(
    """
    how what where when why which who whom does did could would should will are was were is
    i you your we our they their it its this that these those there here with from about
    have has had need needs want wants apply applying application get got getting please hello
    hey thanks thank birth certificate register registration fee fees cost documents document
    residence card identity help much many work permit marriage driving licence license renew
    renewal lost submit office address temporary permanent foreigner english speak
    """.split()
)
# One of these must be present: a sentence of English, not a list of borrowed nouns.
FUNCTION_WORDS = frozenset(
    "how what where when why which who does did could would should is are was were i you your we "
    "it this that with from about have has please hello thanks thank".split()
)
_WORD = re.compile(r"[A-Za-z]+")
MIN_ENGLISH_WORDS = 2
MIN_ENGLISH_SHARE = 0.4


def looks_english(text: str) -> bool:
    """True when ``text`` is plain ASCII, at least two of its words (and 40%) are English-only words
    and one of them is an English function word ("how", "is", "the", ...)."""
    if not text or not text.isascii() or is_button_payload(text):
        return False
    words = [word.lower() for word in _WORD.findall(text)]
    english = [word for word in words if word in ENGLISH_WORDS or word in FUNCTION_WORDS]
    return (
        len(english) >= MIN_ENGLISH_WORDS
        and len(english) >= MIN_ENGLISH_SHARE * len(words)
        and any(word in FUNCTION_WORDS for word in english)
    )
