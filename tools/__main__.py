"""The project's command-line tools behind one entry point: ``python -m tools COMMAND [ARGS]``.

Most commands hand their arguments to the tool's own parser (``python -m tools evaluate --help``).
The Makefile calls these; an operator can too. A command imports its tool only when run, so
``--help`` and the light commands do not load Rasa and TensorFlow.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional


def _serve(args: List[str]) -> int:
    from tools.serve import main

    return main(args)


def _migrate(args: List[str]) -> int:
    from core.db import make_engine
    from core.migrations import current
    from core.settings import get_settings

    argparse.ArgumentParser(prog="python -m tools migrate", description=COMMANDS["migrate"][1]).parse_args(args)
    engine = make_engine(get_settings().database_url)
    with engine.connect() as connection:
        print(f"database at revision {current(connection)}")
    return 0


def _kb(args: List[str]) -> int:
    from knowledge_base.__main__ import main

    return main(args)


def _evaluate(args: List[str]) -> int:
    from tools.evaluate import main

    return main(args)


def _generate_nlu(args: List[str]) -> int:
    from tools.generate_nlu import main

    argparse.ArgumentParser(prog="python -m tools generate-nlu", description=COMMANDS["generate-nlu"][1]).parse_args(
        args
    )
    return main()


def _build_spacy(args: List[str]) -> int:
    from tools.spacy_vi import build

    parser = argparse.ArgumentParser(prog="python -m tools build-spacy", description=COMMANDS["build-spacy"][1])
    parser.add_argument("target", nargs="?", default="var/spacy_vi", type=Path)
    print(build(parser.parse_args(args).target))
    return 0


def _purge(args: List[str]) -> int:
    from tools.retention import main

    return main(args)


def _report(args: List[str]) -> int:
    from tools.report import main

    return main(args)


def _invite_completed(args: List[str]) -> int:
    from tools.invitations import main

    return main(args)


def _create_user(args: List[str]) -> int:
    from tools.accounts import create_user
    from web.dashboard.accounts import ROLES

    parser = argparse.ArgumentParser(prog="python -m tools create-user", description=COMMANDS["create-user"][1])
    parser.add_argument("name")
    parser.add_argument("--role", choices=ROLES, default="viewer")
    parsed = parser.parse_args(args)
    return create_user(parsed.name, parsed.role)


COMMANDS: Dict[str, tuple[Callable[[List[str]], int], str]] = {
    "serve": (_serve, "Rasa server, action server and web server as one unit (make run)."),
    "migrate": (_migrate, "Upgrade DATABASE_URL's schema to the newest revision and print it."),
    "kb": (_kb, "The knowledge base: validate, load, import, audit, search, export."),
    "evaluate": (_evaluate, "NLU and procedure resolution on the held-out set, per style, with an optional gate."),
    "generate-nlu": (_generate_nlu, "Write the generated training variants to nlu_data/generated/ (deterministic)."),
    "build-spacy": (_build_spacy, "Save the blank Vietnamese spaCy pipeline (pyvi) that the NLU config loads."),
    "purge": (_purge, "Delete conversations older than RETENTION_DAYS (safe from cron)."),
    "report": (_report, "The weekly or monthly evaluation report, XLSX and PDF (safe from cron)."),
    "invite-completed": (
        _invite_completed,
        "Invite opted-in citizens whose dossier is completed to the survey (cron).",
    ),
    "create-user": (_create_user, "Create a dashboard account; the password is read from stdin."),
}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="commands:\n" + "\n".join(f"  {name:<14}{doc}" for name, (_run, doc) in COMMANDS.items()),
    )
    parser.add_argument("command", choices=COMMANDS, metavar="COMMAND")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="passed to the command (COMMAND --help)")
    parsed = parser.parse_args(argv)
    return COMMANDS[parsed.command][0](parsed.args)


if __name__ == "__main__":
    sys.exit(main())
