import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from bot.review.accounts import AccountError, AccountStore, LockedOut
from bot.review.security import SessionSigner
from knowledge_base.db import session_factory
from tests.conftest import ROOT


@pytest.fixture
def accounts(database_url):
    return AccountStore(session_factory(database_url))


def test_passwords_are_hashed_with_argon2(accounts, database_url):
    accounts.create("lan", "mat-khau-dai-123", "viewer")
    from sqlalchemy import text
    from knowledge_base.db import engine_for

    with engine_for(database_url).connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM review_users")).scalar_one()
    assert stored.startswith("$argon2") and "mat-khau-dai-123" not in stored
    assert accounts.authenticate("lan", "mat-khau-dai-123").role == "viewer"


def test_wrong_password_and_unknown_user_give_the_same_message(accounts):
    accounts.create("lan", "mat-khau-dai-123", "viewer")
    with pytest.raises(AccountError) as wrong:
        accounts.authenticate("lan", "sai-mat-khau!!")
    with pytest.raises(AccountError) as unknown:
        accounts.authenticate("khong-co", "sai-mat-khau!!")
    assert str(wrong.value) == str(unknown.value)


def test_lock_out_after_five_failures_even_with_the_right_password(accounts):
    accounts.create("lan", "mat-khau-dai-123", "viewer")
    now = datetime.now(timezone.utc)
    for _ in range(5):
        with pytest.raises(AccountError):
            accounts.authenticate("lan", "sai-mat-khau!!", now=now)
    with pytest.raises(LockedOut):
        accounts.authenticate("lan", "mat-khau-dai-123", now=now + timedelta(minutes=1))
    assert accounts.authenticate("lan", "mat-khau-dai-123", now=now + timedelta(minutes=16)).username == "lan"


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


def test_cli_create_user_reads_password_from_stdin(database_url):
    result = subprocess.run([sys.executable, "-m", "bot.review", "create-user", "minh", "--role", "viewer"],
                            input="mat-khau-dai-789\n", capture_output=True, text=True, cwd=ROOT,
                            env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert AccountStore(session_factory(database_url)).authenticate("minh", "mat-khau-dai-789").role == "viewer"


def test_session_cookie_is_signed_and_expires():
    signer = SessionSigner("secret")
    cookie = signer.issue("lan", "viewer", now=1000.0)
    session = signer.read(cookie, now=1001.0)
    assert (session.username, session.role) == ("lan", "viewer")
    assert signer.read(cookie, now=1000.0 + 9 * 3600) is None
    payload, signature = cookie.rsplit(".", 1)
    assert signer.read(payload + "." + "0" * len(signature), now=1001.0) is None
    assert SessionSigner("other").read(cookie, now=1001.0) is None


def test_csrf_token_is_bound_to_the_session():
    signer = SessionSigner("secret")
    first = signer.read(signer.issue("lan", "viewer"))
    second = signer.read(signer.issue("lan", "viewer"))
    assert signer.csrf_ok(first, signer.csrf_token(first))
    assert not signer.csrf_ok(first, signer.csrf_token(second))
    assert not signer.csrf_ok(first, None)
