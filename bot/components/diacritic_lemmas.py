"""Give every token a diacritic-free lemma so featurizers can ignore missing marks.

Citizens often type without diacritics ("lam ho chieu het bao nhieu tien").
CountVectorsFeaturizer uses ``token.lemma`` by default; with lemmas folded to
plain ASCII letters, "hộ chiếu" and "ho chieu" produce the same features.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components.base import MessageRewriter
from knowledge_base.text import strip_diacritics


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class DiacriticFreeLemmas(MessageRewriter):
    """Sets ``lemma`` of each text token to its folded form; must follow the tokenizer."""

    def rewrite(self, message: Message) -> None:
        """Replace token lemmas by their diacritic-free text (spaces of compounds become _)."""
        for token in message.get(TOKENS_NAMES[TEXT]) or []:
            token.lemma = strip_diacritics(token.text.lower()).replace(" ", "_")
