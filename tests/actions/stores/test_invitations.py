"""Opt-ins to be invited to the survey once a dossier is completed: messengers only, once per dossier."""

import pytest

from actions.stores.applications import DatabaseStatusProvider, is_completed
from actions.stores.invitations import CompletionInvitationStore
from core.db import session_factory


@pytest.mark.parametrize(
    "status, done",
    [
        ("Đã trả kết quả", True),
        ("đã có kết quả, mời nhận tại Bộ phận một cửa", True),
        ("Hoàn thành", True),
        ("Da tra ket qua", True),
        ("Đang giải quyết", False),
        ("Chờ bổ sung hồ sơ", False),
        ("Chưa hoàn thành", False),
        ("", False),
    ],
)
def test_completed_statuses(status, done):
    assert is_completed(status) is done


def test_only_completed_dossiers_of_opted_in_messenger_users_are_due(database_url):
    sessions = session_factory(database_url)
    applications = DatabaseStatusProvider(sessions)
    store = CompletionInvitationStore(sessions)
    applications.upsert("G22.39-250101-0001", "Đang giải quyết", "ho-chieu")
    applications.upsert("G22.39-250101-0002", "Đang giải quyết", "tam-tru")
    assert store.opt_in("telegram:1", "telegram", "g22.39-250101-0001")
    assert store.opt_in("telegram:1", "telegram", "G22.39-250101-0001")  # pressed twice: one row
    assert store.opt_in("zalo:2", "zalo", "G22.39-250101-0002")
    assert not store.opt_in("web-3", "socketio", "G22.39-250101-0002")  # the widget cannot message later
    assert store.due(applications) == []
    applications.upsert("G22.39-250101-0001", "Đã trả kết quả", "ho-chieu")
    [due] = store.due(applications)
    assert (due.conversation_id, due.channel, due.application_code, due.procedure_id) == (
        "telegram:1",
        "telegram",
        "G22.39-250101-0001",
        "ho-chieu",
    )
    store.mark_invited(due.id)
    assert store.due(applications) == []
    assert len(store.for_conversation("telegram:1")) == 1 and store.for_conversation("web-3") == []
