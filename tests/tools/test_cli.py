"""``python -m tools``: one entry point that lists its commands and hands arguments on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from core.migrations import head
from tests.conftest import ROOT


def _tools(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tools", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **(env or {})},
    )


def test_help_lists_every_command():
    result = _tools("--help")
    assert result.returncode == 0
    for command in (
        "serve",
        "migrate",
        "kb",
        "evaluate",
        "generate-nlu",
        "build-spacy",
        "purge",
        "report",
        "create-user",
    ):
        assert f"\n  {command} " in result.stdout


def test_an_unknown_command_is_refused_with_the_choices():
    result = _tools("train-everything")
    assert result.returncode == 2
    assert "invalid choice: 'train-everything'" in result.stderr


def test_migrate_brings_a_new_database_to_the_newest_revision(tmp_path: Path):
    result = _tools("migrate", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"database at revision {head()}"


def test_arguments_reach_the_knowledge_base_tool(tmp_path: Path):
    database = f"sqlite:///{tmp_path / 'kb.db'}"
    assert _tools("kb", "--database-url", database, "load").returncode == 0
    result = _tools("kb", "--database-url", database, "search", "làm hộ chiếu")
    assert result.returncode == 0, result.stderr
    assert "ho-chieu" in result.stdout
