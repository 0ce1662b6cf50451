"""Shared fixtures: a fresh SQLite database per test, loaded with the curated procedures."""

from __future__ import annotations

import os
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Dict, Iterator, List

import pytest
from cryptography.fernet import Fernet

from core.db import session_factory
from core.settings import Settings
from knowledge_base.repository import ProcedureRepository
from knowledge_base.schema import load_directory
from knowledge_base.search import ProcedureIndex

ROOT = Path(__file__).resolve().parent.parent
PROCEDURES_DIR = ROOT / "knowledge_base" / "procedures"
# A copy of ../shared/datasets/national-procedures-sample: tests never read ../shared.
NATIONAL_SAMPLE = ROOT / "tests" / "real_questions" / "national-sample"
# A database made by the version before migrations (commit acd730d, its create_all), with a few rows:
# two procedures, a rating, a hand-off, a review, a dashboard admin and one Rasa tracker event.
PREVIOUS_VERSION_DB = ROOT / "tests" / "data" / "assistant-acd730d.db"
PREVIOUS_VERSION_ADMIN_PASSWORD = "a-long-password-123"


# Secrets the servers would otherwise generate into var/ of the checkout: one per test session, shared
# with every server a test starts (they inherit the environment). tools/stack.TOKEN is Rasa's token.
os.environ.setdefault("CALLBACK_KEY", Fernet.generate_key().decode("ascii"))
os.environ.setdefault("RASA_API_TOKEN", "test-token-123")

SERVICE_FIXTURES = {"postgres_url", "rabbitmq_queue"}


def pytest_collection_modifyitems(items: List[pytest.Item]) -> None:
    """A test that asks for a real PostgreSQL or RabbitMQ is a ``services`` test, marked or not."""
    for item in items:
        if SERVICE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.services)


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


POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new PostgreSQL database on the real server, dropped afterwards; skips (visibly) outside CI if absent."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    name = f"assistant_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc.orig}")
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        from core.db import engine_for

        engine_for.cache_clear()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with fresh_postgres_database() as url:
        yield url


RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")


def require_server(name: str, host: str, port: int) -> None:
    """Skip (visibly) when a server of the scale-out set-up is absent; under CI=true it must run."""
    import socket

    try:
        with socket.create_connection((host, port), timeout=2):
            return
    except OSError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} must run in CI ({host}:{port}: {exc})")
        pytest.skip(f"{name} not running on {host}:{port}")


def delete_queues(name: str) -> None:
    """Delete a test queue and its ``.invalid`` companion from the real RabbitMQ."""
    import asyncio

    import aio_pika

    async def delete() -> None:
        connection = await aio_pika.connect_robust(RABBITMQ_URL)
        async with connection:
            channel = await connection.channel()
            for queue_name in (name, f"{name}.invalid"):
                queue = await channel.declare_queue(queue_name, durable=True)
                await queue.delete(if_unused=False, if_empty=False)

    asyncio.run(delete())


def require_rabbitmq() -> None:
    from urllib.parse import urlparse

    url = urlparse(RABBITMQ_URL)
    require_server("RabbitMQ", url.hostname or "127.0.0.1", url.port or 5672)


@pytest.fixture
def rabbitmq_queue() -> Iterator[str]:
    """A fresh queue name on the real RabbitMQ, deleted afterwards (with its ``.invalid`` queue)."""
    require_rabbitmq()
    name = f"citizen_test_{uuid.uuid4().hex[:8]}"
    yield name
    delete_queues(name)


def wait_until(check: Callable[[], object], seconds: float = 60, what: str = "") -> object:
    """``check()``'s first true value, polled for up to ``seconds`` (servers answer asynchronously)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what or check}")
