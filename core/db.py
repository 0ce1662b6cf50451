"""Database engine, sessions, the declarative base and the UTC time column every subsystem's tables use.

SQLAlchemy 2.0 style on the 1.4 line Rasa pins. The schema is owned by the Alembic migrations in
``core/migrations/``: an engine brings its database to the newest revision before first use, so a
database made by an earlier version is upgraded in place.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import DateTime, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from sqlalchemy.pool import QueuePool
from sqlalchemy.types import TypeDecorator

from core.migrations import upgrade
from core.settings import get_settings

Base = declarative_base()


def utcnow() -> datetime:
    """Timezone-aware now, stored as UTC."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A moment stored in UTC and always read back timezone-aware.

    SQLite keeps no time zone, so without this every reader had to repair naive values by hand.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        # A naive value is taken to be UTC already, as everything the assistant stores is.
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _enable_sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets the Rasa server and the action server share one SQLite file."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str, migrate: bool = True) -> Engine:
    """An engine for ``url``, creating the SQLite folder and upgrading the schema when needed."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        options = {}
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # SQLAlchemy 1.4 opens a new SQLite connection per session by default (NullPool), which
            # cost the action server a connection and its pragmas on every request; keep a pool.
            options = dict(poolclass=QueuePool, connect_args={"check_same_thread": False})
        engine = create_engine(url, future=True, **options)
        event.listen(engine, "connect", _enable_sqlite_wal)
    else:
        engine = create_engine(url, future=True, pool_pre_ping=True)
    if migrate:
        upgrade(engine)
    return engine


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per URL for the process."""
    return make_engine(url)


def session_factory(url: Optional[str] = None) -> sessionmaker:
    """A session factory; ``url`` defaults to ``DATABASE_URL``."""
    engine = engine_for(url or get_settings().database_url)
    return sessionmaker(bind=engine, future=True, expire_on_commit=False, class_=Session)
