"""The schema is owned by the migrations: new databases, databases of the previous version, and models agree."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select

# Every subsystem's tables are imported, so Base.metadata holds them all.
import bot.analytics_events  # noqa: F401
import bot.channels.tables  # noqa: F401
from actions.stores.surveys import ServiceSurveyStore
from actions.stores.tables import ServiceSurvey
from core.db import Base, make_engine, session_factory
from core.migrations import current, head
from knowledge_base.repository import ProcedureRepository
from knowledge_base.reviews import ReviewStore
from knowledge_base.tables import Procedure
from tests.conftest import PREVIOUS_VERSION_ADMIN_PASSWORD, PREVIOUS_VERSION_DB
from web.dashboard.accounts import AccountStore
from web.dashboard.analytics import Filters, ReviewData
from web.tables import TrainingLabel


def _differences(connection, metadata=Base.metadata) -> list:
    """What autogenerate would change to make the database match ``metadata`` (Rasa's tables left out)."""
    ours = {"include_name": lambda name, kind, _parent: kind != "table" or name in metadata.tables}
    return compare_metadata(MigrationContext.configure(connection, opts=ours), metadata)


def _old_copy(tmp_path: Path) -> str:
    path = tmp_path / "previous.db"
    shutil.copyfile(PREVIOUS_VERSION_DB, path)
    return f"sqlite:///{path}"


def test_a_new_database_is_at_the_newest_revision_and_matches_the_models(database_url: str):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        assert current(connection) == head()
        assert _differences(connection) == []
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_the_check_sees_a_model_the_migrations_lack(database_url: str):
    """The comparison above must be able to fail: a column added to a model without a revision."""
    from sqlalchemy import Column, MetaData, String, Table

    engine = make_engine(database_url)
    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    Table("service_surveys", metadata, Column("channel_detail", String(32)), extend_existing=True)
    with engine.connect() as connection:
        differences = _differences(connection, metadata)
    assert [(kind, column.name) for kind, _schema, _table, column in differences] == [("add_column", "channel_detail")]


def test_the_previous_versions_database_is_upgraded_in_place_with_its_rows(tmp_path: Path):
    url = _old_copy(tmp_path)
    with sqlite3.connect(url.removeprefix("sqlite:///")) as before:
        assert "alembic_version" not in {row[0] for row in before.execute("SELECT name FROM sqlite_master")}
    engine = make_engine(url)
    with engine.connect() as connection:
        assert current(connection) == head()
        assert _differences(connection) == []
    sessions = session_factory(url)
    records = ProcedureRepository(sessions).all_records()
    assert sorted(record["id"] for record in records) == ["ho-chieu", "khai-sinh"]
    with sessions() as session:
        loaded_on = session.execute(select(Procedure.loaded_on)).scalars().all()
        survey = session.execute(select(ServiceSurvey)).scalar_one()
        tables = inspect(session.get_bind()).get_table_names()
    assert all(isinstance(day, date) for day in loaded_on) and len(loaded_on) == 2
    # The old 1-5 rating became a survey with only the overall score (revision 0004).
    assert (survey.conversation_id, survey.overall, survey.procedure_id) == ("conv-1", 5, "khai-sinh")
    assert (survey.session_key, survey.trigger, survey.submitting_online) == ("legacy-1", "legacy", None)
    assert survey.created_at.tzinfo is not None
    assert "ratings" not in tables
    review = ReviewStore(sessions).latest({"id": "ho-chieu"})
    assert (review.reviewer, review.reviewed_on) == ("editor1", date(2026, 11, 20))
    account = AccountStore(sessions).authenticate("admin", PREVIOUS_VERSION_ADMIN_PASSWORD, source="test")
    assert account.role == "admin"
    # Rasa's own table is left as it was.
    with sqlite3.connect(url.removeprefix("sqlite:///")) as after:
        assert after.execute("SELECT sender_id, type_name FROM events").fetchall() == [("conv-1", "user")]


def test_upgrading_twice_changes_nothing(tmp_path: Path):
    url = _old_copy(tmp_path)
    make_engine(url).dispose()
    engine = make_engine(url)
    with engine.connect() as connection:
        assert current(connection) == head()


def test_times_come_back_in_utc_whatever_was_stored(database_url: str):
    sessions = session_factory(database_url)
    ServiceSurveyStore(sessions).start("c", "s1", "rest", None, "goodbye")
    with sessions() as session:
        survey = session.execute(select(ServiceSurvey)).scalar_one()
        survey.created_at = datetime(2026, 11, 29, 9, 30, tzinfo=timezone(timedelta(hours=7)))
        session.commit()
    with sessions() as session:
        stored = session.execute(select(ServiceSurvey)).scalar_one().created_at
    assert stored == datetime(2026, 11, 29, 2, 30, tzinfo=timezone.utc)
    assert stored.utcoffset() == timedelta(0)


def test_the_dashboard_keeps_the_conversations_and_labels_of_the_previous_version(tmp_path: Path):
    """Before, the dashboard read Rasa's events table; revision 0003 copies it into analytics_events."""
    url = _old_copy(tmp_path)
    with sqlite3.connect(url.removeprefix("sqlite:///")) as before:
        before.executemany(
            "INSERT INTO training_labels (event_id, sender_id, text, intent, labelled_by, at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (1, "conv-1", "xin chào", "greet", "admin", "2026-11-21 08:00:00"),
                (99, "conv-9", "đã bị xóa", "greet", "admin", "2026-11-21 08:00:00"),
            ],
        )
    engine = make_engine(url)
    turns = ReviewData(engine).turns(Filters(date(2025, 11, 1), date(2025, 11, 30)), sender_id="conv-1")
    assert [(turn.text, turn.channel) for turn in turns] == [("xin chào", "rest")]
    with session_factory(url)() as session:
        labels = dict(session.execute(select(TrainingLabel.text, TrainingLabel.event_id)).all())
    assert labels == {"xin chào": turns[0].event_id, "đã bị xóa": -99}, "a label whose event is gone matches no row"
