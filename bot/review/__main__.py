"""``python -m bot.review create-user NAME --role viewer|editor|admin`` (password read from stdin)."""
from __future__ import annotations

import argparse
import getpass
import sys
from typing import List, Optional

from bot.review.accounts import ROLES, AccountError, AccountStore
from knowledge_base.db import session_factory


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.review")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-user", help="create a dashboard account; the password is read from stdin")
    create.add_argument("name")
    create.add_argument("--role", choices=ROLES, default="viewer")
    args = parser.parse_args(argv)
    password = getpass.getpass("Mật khẩu: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    try:
        AccountStore(session_factory()).create(args.name, password, args.role)
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"created {args.role} {args.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
