"""The architecture, asserted: layers import only downwards, and each process loads only its own side.

Layers, lowest first (README, docs/architecture.md):

    core  <  knowledge_base  <  actions  <  bot  <  web  <  tools  <  bench  <  tests

A module may import its own layer and the layers below it, never one above. The three processes
are ``rasa run`` (bot/), the action server (actions/) and the web server (web/): the action server
never loads Rasa (it must be able to move to a newer Python), and the web server loads neither Rasa
nor the Rasa SDK. There is no list of exceptions.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

from tests.conftest import ROOT

LAYERS = ["core", "knowledge_base", "actions", "bot", "web", "tools", "bench", "tests"]
RASA_FREE = {"core", "knowledge_base", "actions", "web"}
RASA_SDK_FREE = {"core", "knowledge_base", "web"}


def _modules() -> List[Path]:
    return sorted(path for layer in LAYERS for path in (ROOT / layer).rglob("*.py"))


def _imports(path: Path, root: Path) -> Iterator[Tuple[int, str]]:
    """Absolute module names a file imports (relative imports resolved), with their line."""
    package = path.relative_to(root).with_suffix("").parts[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1])
                yield node.lineno, f"{base}.{node.module}" if node.module else base
            elif node.module:
                yield node.lineno, node.module


def violations(path: Path, root: Path = ROOT) -> List[str]:
    """Every import in ``path`` that breaks the layering, as ``file:line imports name: why``."""
    layer = path.relative_to(root).parts[0]
    found = []
    for line, name in _imports(path, root):
        top = name.split(".")[0]
        where = f"{path.relative_to(root)}:{line} imports {name}"
        if top in LAYERS and LAYERS.index(top) > LAYERS.index(layer):
            found.append(f"{where}: {top} is above {layer}")
        if top == "rasa" and layer in RASA_FREE:
            found.append(f"{where}: {layer} must not load Rasa")
        if top == "rasa_sdk" and layer in RASA_SDK_FREE:
            found.append(f"{where}: {layer} must not load the Rasa SDK")
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_run_downwards_only(path: Path):
    assert violations(path) == []


def test_the_checker_sees_upward_and_cross_process_imports(tmp_path: Path):
    """The rule above must be able to fail: upward imports, absolute or relative, and Rasa where it is not allowed."""
    (tmp_path / "knowledge_base").mkdir()
    (tmp_path / "web" / "dashboard").mkdir(parents=True)
    (tmp_path / "actions").mkdir()
    upward = tmp_path / "knowledge_base" / "upward.py"
    upward.write_text("from web.server import main\n", encoding="utf-8")
    relative = tmp_path / "web" / "dashboard" / "relative.py"
    relative.write_text("from ..server import main\nimport rasa_sdk\nfrom tools import stack\n", encoding="utf-8")
    rasa = tmp_path / "actions" / "uses_rasa.py"
    rasa.write_text("import os\nfrom rasa.core.agent import Agent\n", encoding="utf-8")
    assert violations(upward, tmp_path) == [
        "knowledge_base/upward.py:1 imports web.server: web is above knowledge_base"
    ]
    assert (1, "web.server") in list(_imports(relative, tmp_path))
    assert violations(relative, tmp_path) == [
        "web/dashboard/relative.py:2 imports rasa_sdk: web must not load the Rasa SDK",
        "web/dashboard/relative.py:3 imports tools: tools is above web",
    ]
    assert violations(rasa, tmp_path) == ["actions/uses_rasa.py:2 imports rasa.core.agent: actions must not load Rasa"]


def _loaded_packages(statement: str) -> set:
    """Top-level packages in sys.modules after running ``statement`` in a fresh interpreter."""
    script = f"import sys\n{statement}\nprint(' '.join(sorted({{n.split('.')[0] for n in sys.modules}})))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return set(result.stdout.split())


def test_the_action_server_code_loads_no_rasa():
    loaded = _loaded_packages("import actions.procedures, actions.feedback, actions.survey, actions.service_help")
    assert "rasa_sdk" in loaded
    assert "rasa" not in loaded


def test_the_web_server_loads_neither_rasa_nor_the_sdk():
    loaded = _loaded_packages("import web.server")
    assert "sanic" in loaded
    assert not loaded & {"rasa", "rasa_sdk", "tensorflow"}
