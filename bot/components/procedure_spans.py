"""Puts the edges of DIET's procedure mentions on the procedure phrases the model was trained with.

DIET finds *where* a procedure is named well but guesses the edges of the phrase from its
neighbours, so a mention runs on into the question ("[cấp sổ đỏ lần đầu chờ] bao lâu",
"[phí lý lịch tư pháp]"), stops short ("[đổi bằng] lái"), splits in two ("[làm] [passport]") or
is a lone word of the question ("[xin] hỏi"). Each of those is a worse fragment for the
resolver, misses the alias → id synonym and reads badly in the logs.

Training teaches this component every phrase annotated as ``procedure`` (the knowledge base's
aliases in every generated form, and the hand-written ones) and every synonym (all aliases).
At inference, a mention that is such a phrase grows to the longest known phrase around it (the
most specific name the message holds); one that is not takes the edges of the known phrase
that overlaps it most; mentions that land on the same phrase become one; a single word that
overlaps no known phrase is dropped. A mention of several words that overlaps none (a
procedure the model has not seen, such as an imported one) is left as DIET found it: the
resolver weighs it as evidence.
Must come after DIETClassifier and before EntitySynonymMapper, which maps the phrase to its id.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge_base.text import fold

PROCEDURE = "procedure"
PHRASES_FILE = "procedure_phrases.json"
_WORD = re.compile(r"\w+")

Phrase = Tuple[str, ...]
Span = Tuple[int, int]


def _words(text: str) -> List[Tuple[int, int, str]]:
    """(start, end, folded word) of each word of ``text``, offsets in ``text``."""
    return [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]


def phrase_of(text: str) -> Phrase:
    """The comparison key of a phrase: its folded words (marks and case ignored)."""
    return tuple(word for _start, _end, word in _words(text))


def occurrences(text: str, phrases: FrozenSet[Phrase], longest: int) -> List[Span]:
    """Character spans of every known phrase in ``text``, whole words only."""
    words = _words(text)
    found = []
    for first in range(len(words)):
        for last in range(first, min(first + longest, len(words))):
            if tuple(word for _s, _e, word in words[first : last + 1]) in phrases:
                found.append((words[first][0], words[last][1]))
    return found


def align(text: str, span: Span, found: List[Span], phrases: FrozenSet[Phrase]) -> Optional[Span]:
    """The span a mention should have, among the known phrases ``found`` in ``text``: the longest
    one holding it when it is one itself ("[khai tử]" in "đăng ký khai tử" → "đăng ký khai tử"),
    else the one overlapping it most (then the longer), else its own unless it is a single
    unknown word."""
    start, end = span
    own = phrase_of(text[start:end])
    if own in phrases:
        holding = [c for c in found if c[0] <= start and c[1] >= end]
        return max(holding, key=lambda c: c[1] - c[0], default=span)

    def overlap(candidate: Span) -> int:
        return min(end, candidate[1]) - max(start, candidate[0])

    overlapping = [c for c in found if overlap(c) > 0]
    if overlapping:
        return max(overlapping, key=lambda c: (overlap(c), c[1] - c[0]))
    return span if len(own) > 1 else None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class ProcedureSpanAligner(GraphComponent):
    """Aligns ``procedure`` entities on the phrases seen in training (see the module docstring)."""

    def __init__(self, model_storage: ModelStorage, resource: Resource, phrases: Iterable[Phrase] = ()) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self.phrases: FrozenSet[Phrase] = frozenset(p for p in phrases if p)
        self.longest = max((len(p) for p in self.phrases), default=0)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ProcedureSpanAligner":
        """With the phrases persisted by :meth:`train`, or none before training (Rasa's default
        ``load`` calls this too)."""
        try:
            with model_storage.read_from(resource) as directory:
                phrases = json.loads((directory / PHRASES_FILE).read_text(encoding="utf-8"))
        except ValueError:
            phrases = []
        return cls(model_storage, resource, [tuple(p) for p in phrases])

    def train(self, training_data: TrainingData) -> Resource:
        """Learn every phrase annotated as a procedure (as the normaliser left its text) and every
        synonym: aliases a template never drew are still names of their procedure."""
        phrases = {phrase_of(synonym) for synonym in training_data.entity_synonyms}
        for example in training_data.entity_examples:
            text = example.get(TEXT)
            for entity in example.get(ENTITIES) or []:
                if entity.get(ENTITY_ATTRIBUTE_TYPE) == PROCEDURE:
                    phrases.add(phrase_of(text[entity[ENTITY_ATTRIBUTE_START] : entity[ENTITY_ATTRIBUTE_END]]))
        with self._model_storage.write_to(self._resource) as directory:
            (directory / PHRASES_FILE).write_text(json.dumps(sorted(phrases), ensure_ascii=False), encoding="utf-8")
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = message.get(ENTITIES)
            if entities:
                message.set(ENTITIES, self.aligned(message.get(TEXT) or "", entities), add_to_output=True)
        return messages

    def aligned(self, text: str, entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """The entities with procedure mentions aligned, merged and lone words dropped."""
        if not any(entity.get(ENTITY_ATTRIBUTE_TYPE) == PROCEDURE for entity in entities):
            return entities
        known = occurrences(text, self.phrases, self.longest)
        kept, spans = [], set()
        for entity in entities:
            if entity.get(ENTITY_ATTRIBUTE_TYPE) != PROCEDURE:
                kept.append(entity)
                continue
            found = (entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END])
            span = align(text, found, known, self.phrases)
            if span is None or span in spans:
                continue
            spans.add(span)
            if span != found:
                entity = {
                    **entity,
                    ENTITY_ATTRIBUTE_START: span[0],
                    ENTITY_ATTRIBUTE_END: span[1],
                    ENTITY_ATTRIBUTE_VALUE: text[span[0] : span[1]],
                    "processors": [*entity.get("processors", []), type(self).__name__],
                }
            kept.append(entity)
        return kept
