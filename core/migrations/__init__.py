"""Alembic migrations for every table the assistant owns (Rasa's tracker store keeps its own ``events``).

``upgrade(engine)`` brings a database to the newest revision; it is what ``make run`` and every
engine do before first use. Add a revision with ``python -m tools migrate revision "what changes"``
(see CONTRIBUTING.md); ``tests/core/test_migrations.py`` fails when the models and the newest
revision disagree.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

HERE = Path(__file__).resolve().parent


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration without an ini file: the scripts here, the given connection."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def head() -> str:
    """The newest revision."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current(connection: Connection) -> str | None:
    """The revision a database is at (None before the first migration ran)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Upgrades the database to the newest revision; a no-op when it is there already."""
    with engine.connect() as connection:
        if current(connection) == head():
            return
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
