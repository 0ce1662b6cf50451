"""Shared fixtures: a fresh SQLite database per test, loaded with the curated procedures."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest

from bot.settings import Settings
from knowledge_base.db import session_factory
from knowledge_base.repository import ProcedureRepository
from knowledge_base.schema import load_directory
from knowledge_base.search import ProcedureIndex

ROOT = Path(__file__).resolve().parent.parent
PROCEDURES_DIR = ROOT / "knowledge_base" / "procedures"
NATIONAL_SAMPLE = ROOT.parent / "shared" / "datasets" / "national-procedures-sample"


@pytest.fixture(scope="session")
def curated_records() -> List[Dict]:
    return load_directory(PROCEDURES_DIR)


@pytest.fixture(scope="session")
def curated_index(curated_records) -> ProcedureIndex:
    return ProcedureIndex(curated_records)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def loaded_database(database_url: str, curated_records) -> str:
    ProcedureRepository(session_factory(database_url)).upsert(curated_records)
    return database_url


@pytest.fixture
def settings(loaded_database: str) -> Settings:
    return Settings(database_url=loaded_database)
