"""The once-compiled action-response check accepts and rejects exactly what Rasa's own check does."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

import bot.tracker_store  # noqa: F401 - installs the check, as in the Rasa server
from bot.action_results import validate_action_result

RESPONSES = [
    {},
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "procedure_id", "value": "ho-chieu", "timestamp": None}],
        "responses": [{"text": "Lệ phí…", "buttons": [{"title": "Hồ sơ", "payload": "/ask_documents"}]}],
    },
    {"events": [{"event": "followup", "name": "service_survey_form"}, {"event": "active_loop", "name": None}]},
    {"events": "not a list"},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot", "value": 1}]},
    {"responses": ["text"]},
    {"events": [{"event": "user", "text": 5}]},
]


def _rasa_outcome(result):
    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
        return "valid"
    except jsonschema.ValidationError as error:
        return error.message


@pytest.mark.parametrize("result", RESPONSES)
def test_same_outcome_and_error_as_jsonschema_validate(result):
    expected = _rasa_outcome(result)
    action = RemoteAction("action_answer_procedure", None)
    if expected == "valid":
        assert action._validate_action_result(result) is True
    else:
        with pytest.raises(jsonschema.ValidationError) as raised:
            action._validate_action_result(result)
        assert raised.value.message.startswith(expected + ". Failed to validate Action server response")


def test_installed_for_the_rasa_server():
    assert RemoteAction._validate_action_result is validate_action_result
    assert sum(_rasa_outcome(r) == "valid" for r in RESPONSES) == 4
