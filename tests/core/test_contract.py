"""The contract module and the domain must name the same intents and slots."""

import ast
import re

import yaml

from core.contract import ANSWER_STATUSES, DOMAIN_INTENTS, PROCEDURE_INTENTS, Intent, Slot
from tests.conftest import ROOT

DOMAIN = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))


def _constants(cls):
    return {value for name, value in vars(cls).items() if name.isupper()}


def test_intents_agree_with_the_domain():
    assert list(DOMAIN_INTENTS) == DOMAIN["intents"]
    assert _constants(Intent) == set(DOMAIN["intents"]) | {Intent.NLU_FALLBACK}
    assert set(PROCEDURE_INTENTS) <= set(DOMAIN_INTENTS)


def test_slots_agree_with_the_domain():
    assert _constants(Slot) == set(DOMAIN["slots"])


def test_every_answer_status_the_actions_set_is_in_the_contract():
    """No action may set a status the dashboard does not know."""
    set_in_actions = set()
    for path in (ROOT / "actions").glob("*.py"):
        set_in_actions |= set(re.findall(r"AnswerStatus\.([A-Z_]+)", path.read_text(encoding="utf-8")))
        assert not re.search(r'SlotSet\(\s*"answer_status"', path.read_text(encoding="utf-8")), path
    from core.contract import AnswerStatus

    assert {getattr(AnswerStatus, name) for name in set_in_actions} == set(ANSWER_STATUSES)


def test_the_knowledge_base_knows_fields_not_intents():
    """Intents are the conversation's words (actions map them to fields); the knowledge base stays free of them."""
    for path in sorted((ROOT / "knowledge_base").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "core.contract":
                names = {alias.name for alias in node.names}
                assert names <= {"Field"}, f"{path.relative_to(ROOT)} imports {names - {'Field'}}"
