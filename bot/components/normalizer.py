"""First pipeline step: make citizens' Vietnamese comparable before tokenisation.

NFC, lower case, one tone placement, teencode/abbreviation expansion (table in
knowledge_base/abbreviations.yml). Training examples keep their entity
annotations: spans are moved to where the words landed in the normalised text.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.components.base import MessageRewriter
from knowledge_base.text import normalize


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class VietnameseNormalizer(MessageRewriter):
    """Rewrites the message text in place; must come before the tokenizer."""

    def rewrite(self, message: Message) -> None:
        """Normalise one message and move its entity spans along."""
        text: Optional[str] = message.get(TEXT)
        if not text:
            return
        result = normalize(text)
        entities: List[Dict[Text, Any]] = []
        for entity in message.get(ENTITIES) or []:
            moved = dict(entity)
            start = result.map_start(entity[ENTITY_ATTRIBUTE_START])
            end = result.map_end(entity[ENTITY_ATTRIBUTE_END])
            if (
                entity.get(ENTITY_ATTRIBUTE_VALUE)
                == text[entity[ENTITY_ATTRIBUTE_START] : entity[ENTITY_ATTRIBUTE_END]]
            ):
                moved[ENTITY_ATTRIBUTE_VALUE] = result.text[start:end]
            moved[ENTITY_ATTRIBUTE_START], moved[ENTITY_ATTRIBUTE_END] = start, end
            entities.append(moved)
        message.set(TEXT, result.text, add_to_output=True)
        if entities:
            message.set(ENTITIES, entities)
