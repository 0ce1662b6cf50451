"""Keeps over-long messages away from the NLU models, whatever channel they came from.

DIET's attention makes the Rasa server's memory grow with the square of a message's length
(a 100,000-character message once took it to 20 GB and the kernel killed it). Channels bound
request bodies, but the only place every channel passes through is the NLU pipeline, so the
cap lives here, in two steps:

- ``MessageLengthGuard`` (first in the pipeline) cuts the text to ``MAX_MESSAGE_CHARS``
  before anything else reads it and records the original length as ``message_too_long``
  in the parse data;
- ``OverlongMessageClassifier`` (last) turns such a message into ``nlu_fallback`` with full
  confidence and no entities, so no procedure is answered from a cut-off question;
  ``action_fallback`` then asks the citizen to write a shorter question.

Training data is left alone: both steps act at inference only.
"""

from __future__ import annotations

from typing import List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.base import StatelessComponent
from core.settings import MESSAGE_TOO_LONG_KEY as TOO_LONG_KEY
from core.settings import get_settings


class _InferenceOnly(StatelessComponent):
    """Leaves training data untouched."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class MessageLengthGuard(_InferenceOnly):
    """Cuts a message to the configured length before tokenisation; must come first."""

    def __init__(self, limit: Optional[int] = None) -> None:
        self.limit = limit or get_settings().max_message_chars

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text: Optional[str] = message.get(TEXT)
            if text and len(text) > self.limit:
                message.set(TEXT, text[: self.limit])
                message.set(TOO_LONG_KEY, len(text), add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class OverlongMessageClassifier(_InferenceOnly):
    """Answers a cut message with the fallback intent; must come last."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if message.get(TOO_LONG_KEY):
                intent = {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": 1.0}
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
                message.set(ENTITIES, [], add_to_output=True)
        return messages
