"""Bases for our stateless NLU components: nothing to train, nothing to persist."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


class StatelessComponent(GraphComponent):
    """A component built with no arguments whatever the model storage holds."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "StatelessComponent":
        return cls()


class MessageRewriter(StatelessComponent):
    """Rewrites each message in place, in training and at inference: subclasses implement :meth:`rewrite`."""

    def rewrite(self, message: Message) -> None:
        raise NotImplementedError

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self.rewrite(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self.rewrite(message)
        return messages
