"""Checking action-server responses with a validator built once instead of on every call.

Rasa 3.6's ``RemoteAction`` checks each response of the action server against its events
schema with ``jsonschema.validate``, which first validates that schema itself against the
draft 2020-12 meta-schema. In the profile of the REST benchmark this took 45% of the Rasa
server's CPU time (README, Performance). :func:`install` replaces that one method with the
same check on a validator compiled once: same schema, same jsonschema, same error (the best
match, with Rasa's hint appended). The Rasa server installs it when it loads our tracker
store (bot/tracker_store.py), which every deployment uses.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

from jsonschema import Validator, exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _response_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(_action: RemoteAction, result: Dict[str, Any]) -> bool:
    """Rasa's ``RemoteAction._validate_action_result`` without re-checking the schema each time."""
    error = exceptions.best_match(_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def install() -> None:
    """Use :func:`validate_action_result` for every remote action of this process."""
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[assignment]
