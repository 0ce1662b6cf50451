"""The action server must be able to move to a newer Python without Rasa (3.10 is end of life)."""
import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

RASA_FREE = ["core", "actions", "knowledge_base", "bot/settings.py"]


def _python_files():
    for entry in RASA_FREE:
        path = ROOT / entry
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


@pytest.mark.parametrize("path", list(_python_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_rasa_sdk_at_most(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            assert top != "rasa", f"{path.relative_to(ROOT)} imports {name}"
            if top == "bot":
                assert name == "bot.settings", f"{path.relative_to(ROOT)} imports {name} (Rasa side)"
