import logging
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete

from core.db import session_factory
from tests.conftest import ROOT
from web.dashboard import accounts as accounts_module
from web.dashboard.accounts import THROTTLED, AccountError, AccountStore, FailureCounter, Throttled
from web.dashboard.security import Session, SessionSigner
from web.tables import ReviewUser


@pytest.fixture
def accounts(database_url):
    return AccountStore(session_factory(database_url))


def test_passwords_are_hashed_with_argon2(accounts, database_url):
    accounts.create("lan", "mat-khau-dai-123", "viewer")
    from sqlalchemy import text

    from core.db import engine_for

    with engine_for(database_url).connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM review_users")).scalar_one()
    assert stored.startswith("$argon2") and "mat-khau-dai-123" not in stored
    assert accounts.authenticate("lan", "mat-khau-dai-123", "10.0.0.1").role == "viewer"


def test_wrong_password_and_unknown_user_give_the_same_message(accounts):
    accounts.create("lan", "mat-khau-dai-123", "viewer")
    with pytest.raises(AccountError) as wrong:
        accounts.authenticate("lan", "sai-mat-khau!!", "10.0.0.1")
    with pytest.raises(AccountError) as unknown:
        accounts.authenticate("khong-co", "sai-mat-khau!!", "10.0.0.1")
    assert str(wrong.value) == str(unknown.value)


def test_failures_throttle_their_source_not_the_account(accounts):
    accounts.create("lan", "mat-khau-dai-123", "viewer")
    for _ in range(5):
        with pytest.raises(AccountError):
            accounts.authenticate("lan", "sai-mat-khau!!", "10.0.0.1", now=1000.0)
    with pytest.raises(Throttled) as throttled:
        accounts.authenticate("lan", "mat-khau-dai-123", "10.0.0.1", now=1060.0)
    assert str(throttled.value) == THROTTLED and throttled.value.retry_after == 15 * 60 - 60
    assert accounts.authenticate("lan", "mat-khau-dai-123", "10.0.0.2", now=1060.0).username == "lan"
    assert accounts.authenticate("lan", "mat-khau-dai-123", "10.0.0.1", now=1000.0 + 15 * 60).username == "lan"


def test_one_name_tried_from_many_sources_is_throttled_known_or_not(database_url, monkeypatch):
    monkeypatch.setattr(accounts_module, "FAILURES_PER_NAME", 3)
    accounts = AccountStore(session_factory(database_url))
    accounts.create("lan", "mat-khau-dai-123", "viewer")
    for name in ("lan", "khong-co"):
        for source in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
            with pytest.raises(AccountError) as wrong:
                accounts.authenticate(name, "sai-mat-khau!!", source, now=1000.0)
            assert not isinstance(wrong.value, Throttled)
        with pytest.raises(Throttled):
            accounts.authenticate(name, "mat-khau-dai-123", "10.0.0.4", now=1001.0)
    assert accounts.authenticate("lan", "mat-khau-dai-123", "10.0.0.4", now=1000.0 + 15 * 60).username == "lan"


def test_failure_counter_forgets_after_the_window_and_bounds_its_memory():
    counter = FailureCounter(limit=2, window=10.0, max_keys=2)
    counter.add("a", 0.0)
    counter.add("a", 1.0)
    assert counter.retry_after("a", 5.0) == 5.0
    assert counter.retry_after("a", 10.0) == 0.0
    counter.add("b", 11.0)
    counter.add("b", 11.0)
    counter.add("c", 12.0)
    counter.add("c", 12.0)
    assert counter.retry_after("b", 12.0) == 9.0 and counter.retry_after("c", 12.0) == 10.0
    counter.add("d", 13.0)
    assert counter.retry_after("b", 13.0) == 0.0, "the oldest key made room"


def test_roles_and_password_rules(accounts):
    with pytest.raises(AccountError):
        accounts.create("x", "mat-khau-dai-123", "superuser")
    with pytest.raises(AccountError):
        accounts.create("x", "ngan", "viewer")
    accounts.create("x", "mat-khau-dai-123", "admin")
    with pytest.raises(AccountError):
        accounts.create("x", "mat-khau-dai-456", "viewer")
    assert accounts.get("x").is_admin


def test_first_admin_from_environment_only_when_no_user(accounts):
    accounts.ensure_admin("admin", "mat-khau-quan-tri")
    accounts.ensure_admin("other", "mat-khau-quan-tri")
    assert [a.username for a in accounts.all()] == ["admin"]


def test_admin_from_environment_ignored_is_logged(accounts, caplog):
    accounts.ensure_admin("admin", "mat-khau-quan-tri")
    with caplog.at_level(logging.WARNING, logger="web.dashboard.accounts"):
        accounts.ensure_admin("admin", "mat-khau-quan-tri-moi")
    [record] = [r for r in caplog.records if r.getMessage().startswith("review.admin.ignored")]
    assert record.levelno == logging.WARNING and "username=admin" in record.getMessage()
    assert "mat-khau" not in caplog.text


def test_cli_create_user_reads_password_from_stdin(database_url):
    result = subprocess.run(
        [sys.executable, "-m", "tools", "create-user", "minh", "--role", "viewer"],
        input="mat-khau-dai-789\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert AccountStore(session_factory(database_url)).authenticate("minh", "mat-khau-dai-789", "cli").role == "viewer"


def test_sessions_live_on_the_server(accounts, database_url):
    accounts.create("lan", "mat-khau-dai-123", "viewer")
    accounts.create("minh", "mat-khau-dai-456", "viewer")
    now = datetime.now(timezone.utc)
    first, second = accounts.open_session("lan", now=now), accounts.open_session("minh", now=now)
    assert accounts.session(first, now=now) == Session(first, "lan", "viewer")
    assert accounts.session(first, now=now + timedelta(hours=8, seconds=1)) is None, "expired"
    accounts.revoke_session(first)
    assert accounts.session(first, now=now) is None, "logged out"
    with session_factory(database_url)() as db, db.begin():
        db.execute(delete(ReviewUser).where(ReviewUser.username == "minh"))
    assert accounts.session(second, now=now) is None, "user removed"
    assert accounts.session("0" * 64, now=now) is None


def test_signed_values():
    signer = SessionSigner("secret")
    signed = signer.sign("abc")
    assert signer.unsign(signed) == "abc"
    assert signer.unsign("abd." + signed.rsplit(".", 1)[1]) is None
    assert signer.unsign("abc." + "ư" * 64) is None, "non-ASCII input is refused, not an error"
    assert SessionSigner("other").unsign(signed) is None
    assert signer.unsign(None) is None and signer.unsign("no-signature") is None


def test_csrf_token_is_bound_to_the_session():
    signer = SessionSigner("secret")
    first, second = Session("a" * 64, "lan", "viewer"), Session("b" * 64, "lan", "viewer")
    assert signer.csrf_ok(first, signer.csrf_token(first))
    assert not signer.csrf_ok(first, signer.csrf_token(second))
    assert not signer.csrf_ok(first, None) and not signer.csrf_ok(first, "ư")


def test_login_form_token_is_bound_to_its_cookie_and_expires():
    signer = SessionSigner("secret")
    cookie, other = signer.login_cookie(now=1000.0), signer.login_cookie(now=1000.0)
    assert signer.login_csrf_ok(cookie, signer.login_csrf(cookie), now=1001.0)
    assert not signer.login_csrf_ok(cookie, signer.login_csrf(other), now=1001.0)
    assert not signer.login_csrf_ok(cookie, signer.login_csrf(cookie), now=1000.0 + 31 * 60)
    assert not signer.login_csrf_ok(None, signer.login_csrf(cookie), now=1001.0)
    assert not SessionSigner("other").login_csrf_ok(cookie, signer.login_csrf(cookie), now=1001.0)
