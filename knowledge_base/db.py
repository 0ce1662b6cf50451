"""Database engine and sessions (SQLAlchemy 2.0 style on the 1.4 line Rasa pins)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from bot.settings import get_settings
from knowledge_base.models import Base


def _enable_sqlite_wal(dbapi_connection, _record) -> None:
    """WAL lets the Rasa server and the action server share one SQLite file."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``, creating the SQLite folder and tables when needed."""
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
    Base.metadata.create_all(engine)
    return engine


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per URL for the process."""
    return make_engine(url)


def session_factory(url: str | None = None) -> sessionmaker:
    """A session factory; ``url`` defaults to ``DATABASE_URL``."""
    engine = engine_for(url or get_settings().database_url)
    return sessionmaker(bind=engine, future=True, expire_on_commit=False, class_=Session)
