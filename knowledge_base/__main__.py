"""Knowledge-base CLI: ``python -m knowledge_base validate|load|audit|export|search|import``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

from tqdm import tqdm

from core.db import session_factory
from knowledge_base.content_audit import ERROR, audit
from knowledge_base.guide import GUIDES_DIR, GuideIndex, guide_errors, load_guide, missing_help_entries
from knowledge_base.national_import import NationalRecordError, read_national_file
from knowledge_base.repository import ProcedureRepository
from knowledge_base.schema import ContentError, iter_errors, load_directory
from knowledge_base.search import ProcedureIndex
from knowledge_base.tables import CURATED_ORIGIN, IMPORTED_ORIGIN

PROCEDURES_DIR = Path(__file__).with_name("procedures")
logger = logging.getLogger("knowledge_base.cli")


def _repository(database_url: Optional[str]) -> ProcedureRepository:
    return ProcedureRepository(session_factory(database_url))


def cmd_validate(args: argparse.Namespace) -> int:
    paths = sorted(Path(args.directory).glob("*.yml"))
    problems = iter_errors(paths)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not paths:
        print(f"no procedure files in {args.directory}", file=sys.stderr)
        return 1
    if not problems:
        print(f"{len(paths)} procedure files valid")
    return 1 if problems else 0


def _records_in(directory: str) -> Optional[List[Dict[str, Any]]]:
    """The validated records of ``directory``, or None after printing why not."""
    try:
        return load_directory(Path(directory))
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return None


def cmd_load(args: argparse.Namespace) -> int:
    records = _records_in(args.directory)
    if records is None:
        return 1
    written = _repository(args.database_url).upsert(records, origin=CURATED_ORIGIN)
    print(f"loaded {written} procedures")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    records = _records_in(args.directory)
    if records is None:
        return 1
    findings = audit(records)
    for finding in findings:
        print(f"{finding.severity}\t{finding.procedure_id}\t{finding.field}\t{finding.message}")
    errors = sum(f.severity == ERROR for f in findings)
    reviewed = sum(bool(r.get("reviews")) for r in records)
    print(
        f"audited {len(records)} procedures: {errors} errors, {len(findings) - errors} warnings; "
        f"{reviewed} with a review committed (reviews recorded in the dashboard are not counted here)"
    )
    return 1 if errors else 0


def cmd_export(args: argparse.Namespace) -> int:
    records = _repository(args.database_url).all_records()
    json.dump(records, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    index = ProcedureIndex(_repository(args.database_url).all_records())
    hits = index.search(args.text, limit=args.limit)
    for hit in hits:
        print(f"{hit.id}\t{hit.score:.3f}\t{hit.name}")
    if not hits:
        print("no matching procedure", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    paths: List[Path] = []
    for given in args.paths:
        path = Path(given)
        paths.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    records, failed = [], 0
    for path in tqdm(paths, desc="import", unit="file", file=sys.stderr, disable=not paths):
        try:
            records.append(read_national_file(path))
        except (NationalRecordError, ContentError) as exc:
            failed += 1
            tqdm.write(f"skipped {path}: {exc}", file=sys.stderr)
    written = _repository(args.database_url).upsert(records, origin=IMPORTED_ORIGIN) if records else 0
    print(f"imported {written} procedures, skipped {failed}")
    return 0 if written or not failed else 1


def cmd_guide(args: argparse.Namespace) -> int:
    """Validate the guide entries and the walkthrough steps that point at them; ``--ask`` shows a match."""
    paths = sorted(Path(args.directory).glob("*.yml"))
    problems = [str(problem) for problem in guide_errors(paths)]
    if not paths:
        problems.append(f"no guide entries in {args.directory}")
    entries = [] if problems else load_guide(Path(args.directory))
    if not problems:
        problems = missing_help_entries(load_directory(PROCEDURES_DIR), entries)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"{len(paths)} guide entries valid")
    if args.ask:
        index = GuideIndex(entries)
        match = index.match(args.ask)
        print(f"{match.entry.id if match.entry else '-'}\t{match.score:.2f}\t{match.reason}")
        for score, entry_id in index.scores(args.ask)[: args.limit]:
            print(f"  {score:.2f}\t{entry_id}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m knowledge_base", description=__doc__)
    parser.add_argument("--database-url", default=None, help="SQLAlchemy URL (default: DATABASE_URL)")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func, help_text in [
        ("validate", cmd_validate, "check every procedure YAML file against the schema"),
        ("load", cmd_load, "load the procedure YAML files into the database (idempotent)"),
        ("audit", cmd_audit, "check citations, sources and codes; fails on a superseded legal document"),
    ]:
        command = sub.add_parser(name, help=help_text)
        command.add_argument("directory", nargs="?", default=str(PROCEDURES_DIR))
        command.set_defaults(func=func)
    guide = sub.add_parser(
        "guide", help="check the guide entries (and walkthrough references); --ask TEXT shows a match"
    )
    guide.add_argument("directory", nargs="?", default=str(GUIDES_DIR))
    guide.add_argument("--ask", default=None)
    guide.add_argument("--limit", type=int, default=5)
    guide.set_defaults(func=cmd_guide)
    sub.add_parser("export", help="print every procedure in the database as a JSON array").set_defaults(func=cmd_export)
    search = sub.add_parser("search", help="ranked procedures for a question: id, score, name")
    search.add_argument("text")
    search.add_argument("--limit", type=int, default=5)
    search.set_defaults(func=cmd_search)
    imp = sub.add_parser("import", help="import national-database JSON records (files or folders)")
    imp.add_argument("paths", nargs="+")
    imp.set_defaults(func=cmd_import)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
