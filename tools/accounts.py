"""Dashboard accounts from the command line (``python -m tools create-user``): the first admin, or a
replacement when nobody can log in."""

from __future__ import annotations

import getpass
import sys

from core.db import session_factory
from web.dashboard.accounts import AccountError, AccountStore


def create_user(name: str, role: str) -> int:
    """Creates an account; the password is read from the terminal, or from stdin when piped."""
    password = getpass.getpass("Mật khẩu: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    try:
        AccountStore(session_factory()).create(name, password, role)
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"created {role} {name}")
    return 0
