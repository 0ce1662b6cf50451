"""``make eval-real``: real citizens' questions through the running stack, the way a citizen asks.

Each question of the development sets in ``tests/real_questions/`` (copied from the project's
shared evaluation folder; see the README there) is sent in a fresh conversation over the REST
channel of the real Rasa and action servers, on a fresh database with the curated procedures.
The ``procedure_id`` slot after that one turn says which procedure the assistant answered about.

Printed per set, category and writing style (written to ``var/eval-real.json``):

- harmful: answered about a procedure that is not acceptable for the row (for OUT and GEN rows,
  any procedure) — the one thing the assistant must not do;
- right: IN rows answered about an acceptable procedure;
- field shown: of those, the reply is the asked field's answer (its heading, e.g. "Lệ phí – …");
- guide useful: GEN rows answered from a guide entry labelled useful for them
  (``tests/real_questions/guide-labels.yml``);
- guide elsewhere: rows that are not GEN answered from the guide at all (must stay at zero).

The imported-catalogue set is asked of a database that also holds the national sample
(``tests/real_questions/national-sample``, as ``knowledge_base import`` converts it). There an
answer with buttons counts as right when the right record is among the buttons and nothing
is answered (siblings such as "đăng ký NVQS lần đầu / chuyển đi / chuyển đến").
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.contract import Field  # noqa: E402
from knowledge_base.answers import field_title  # noqa: E402
from knowledge_base.national_import import read_national_file  # noqa: E402
from knowledge_base.schema import load_directory  # noqa: E402
from tools.stack import TOKEN, running_servers  # noqa: E402

QUESTIONS = ROOT / "tests" / "real_questions"
SETS = ("portal-faq-questions.yml", "legal-qa-questions.yml")
IMPORTED_SET = "imported-procedure-questions.yml"
GUIDE_LABELS = QUESTIONS / "guide-labels.yml"
NATIONAL_SAMPLE = QUESTIONS / "national-sample"
# Rows whose ``procedure`` names what the assistant should answer about.
ANSWERABLE = ("IN", "IMPORTED")
WORK = ROOT / "var" / "eval-real"


@dataclass(frozen=True)
class Row:
    """One labelled real question."""

    id: str
    text: str
    cat: str
    style: str
    procedures: frozenset
    field: Optional[str]
    copy_of: Optional[str] = None
    guides: frozenset = frozenset()


@dataclass(frozen=True)
class Outcome:
    """What the assistant did with one question."""

    row: Row
    procedure_id: Optional[str]
    reply: str
    choices: tuple = ()
    status: Optional[str] = None
    guide_entry: Optional[str] = None

    @property
    def guide_useful(self) -> bool:
        return self.row.cat == "GEN" and self.guide_entry in self.row.guides

    @property
    def guide_elsewhere(self) -> bool:
        return self.row.cat != "GEN" and self.guide_entry is not None

    @property
    def harmful(self) -> bool:
        return self.procedure_id is not None and self.procedure_id not in self.row.procedures

    @property
    def right(self) -> bool:
        if self.row.cat not in ANSWERABLE:
            return False
        if self.procedure_id is not None:
            return self.procedure_id in self.row.procedures
        # Buttons of close siblings count for imported rows when the right one is offered.
        return self.row.cat == "IMPORTED" and bool(self.row.procedures & set(self.choices))

    @property
    def field_shown(self) -> bool:
        return self.right and self.row.field is not None and self.reply.startswith(field_title(self.row.field) + " –")


def load_rows(path: Path) -> List[Row]:
    """The rows of one development set (``procedure`` is an id, a list of ids or ``none``), with the
    guide entries labelled useful for its GEN rows."""
    labels = (yaml.safe_load(GUIDE_LABELS.read_text(encoding="utf-8")) or {}).get(path.name) or {}
    rows = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
        accepted = item.get("procedure")
        ids = [] if accepted in (None, "none") else ([accepted] if isinstance(accepted, str) else accepted)
        style = "none" if item.get("style") == "none" or item.get("copy_of") else "d"
        field = item.get("field")
        if field:
            # The sets write "documents" or "ask_documents"; "procedure" asks about it as a whole.
            field = field.removeprefix("ask_")
            field = Field.SUMMARY if field == "procedure" else field
        rows.append(
            Row(
                item["id"],
                item["text"],
                item["cat"],
                style,
                frozenset(map(str, ids)),
                field,
                item.get("copy_of"),
                frozenset(labels.get(item["id"], ())),
            )
        )
    return rows


def summarise(outcomes: Iterable[Outcome]) -> Dict[str, Dict[str, float]]:
    """Harmful, right and field-shown rates per category and style, and over all rows."""
    groups: Dict[str, List[Outcome]] = defaultdict(list)
    outcomes = list(outcomes)
    copied = {outcome.row.copy_of for outcome in outcomes if outcome.row.copy_of}
    for outcome in outcomes:
        groups["all"].append(outcome)
        groups[outcome.row.cat].append(outcome)
        groups[f"style {outcome.row.style}"].append(outcome)
        if outcome.row.id in copied:
            # The originals of the rows repeated without diacritics: the fair comparison for those.
            groups["style d, copied rows"].append(outcome)
    table = {}
    for name, items in groups.items():
        inside = [o for o in items if o.row.cat in ANSWERABLE]
        right = [o for o in inside if o.right]
        general = [o for o in items if o.row.cat == "GEN"]
        other = [o for o in items if o.row.cat != "GEN"]
        table[name] = {
            "rows": len(items),
            "harmful": sum(o.harmful for o in items) / len(items),
            "right": len(right) / len(inside) if inside else float("nan"),
            "field_shown": sum(o.field_shown for o in right) / len(right) if right else float("nan"),
            "guide_useful": sum(o.guide_useful for o in general) / len(general) if general else float("nan"),
            "guide_elsewhere": sum(o.guide_elsewhere for o in other) / len(other) if other else float("nan"),
        }
    return table


def imported_records() -> List[dict]:
    """The national sample converted as ``knowledge_base import`` does (unreviewed)."""
    return [read_national_file(path) for path in sorted(NATIONAL_SAMPLE.glob("*.json"))]


def ask(rasa: str, row: Row) -> Outcome:
    """One question in a fresh conversation: the procedure answered, the reply and the procedures offered."""
    sender = f"eval-{row.id}-{uuid.uuid4().hex[:8]}"
    answer = requests.post(f"{rasa}/webhooks/rest/webhook", json={"sender": sender, "message": row.text}, timeout=120)
    messages = answer.json() if answer.ok else []
    reply = "\n".join(message.get("text") or "" for message in messages)
    offered = [
        json.loads(payload[payload.index("{") :]).get("procedure")
        for message in messages
        for payload in (b.get("payload", "") for b in message.get("buttons") or [])
        if "{" in payload
    ]
    tracker = requests.get(f"{rasa}/conversations/{sender}/tracker", params={"token": TOKEN}, timeout=60).json()
    answered = tracker["slots"].get("procedure_id")
    return Outcome(
        row,
        answered,
        reply,
        choices=tuple(offered) if answered is None else (),
        status=tracker["slots"].get("answer_status"),
        guide_entry=tracker["slots"].get("guide_entry"),
    )


GROUP_ORDER = ("all", "IN", "IMPORTED", "REL", "GEN", "OUT", "style d", "style d, copied rows", "style none")


def _rate(value: float) -> str:
    return "–" if value != value else f"{value:.1%}"  # NaN: no row of that kind


def markdown(name: str, table: Dict[str, Dict[str, float]]) -> str:
    lines = [
        f"### {name}",
        "",
        "| rows | n | harmful | right (IN) | field shown | guide useful (GEN) | guide elsewhere |",
        "|---|---|---|---|---|---|---|",
    ]
    for group in sorted(table, key=lambda g: GROUP_ORDER.index(g) if g in GROUP_ORDER else len(GROUP_ORDER)):
        figures = table[group]
        lines.append(
            f"| {group} | {figures['rows']} | {_rate(figures['harmful'])} | {_rate(figures['right'])} | "
            f"{_rate(figures['field_shown'])} | {_rate(figures['guide_useful'])} | "
            f"{_rate(figures['guide_elsewhere'])} |"
        )
    return "\n".join(lines) + "\n"


def run_sets(sets: Sequence[str], records: List[dict], work: Path) -> Dict[str, dict]:
    """Ask every question of ``sets`` of a fresh stack whose database holds ``records``."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "e2e.db").unlink(missing_ok=True)
    report = {}
    with running_servers(work, records) as servers:
        for name in sets:
            outcomes = [ask(servers.rasa, row) for row in load_rows(QUESTIONS / name)]
            report[name] = {
                "summary": summarise(outcomes),
                "wrong": [
                    asdict(o.row)
                    | {
                        "answered": o.procedure_id,
                        "offered": list(o.choices),
                        "status": o.status,
                        "guide_entry": o.guide_entry,
                    }
                    for o in outcomes
                    if o.harmful
                    or (o.row.cat in ANSWERABLE and not o.right)
                    or o.guide_elsewhere
                    or (o.row.cat == "GEN" and not o.guide_useful)
                ],
            }
    return report


def check_gate(report: Dict[str, Dict[str, Dict[str, float]]], thresholds: Dict[str, dict]) -> List[str]:
    """Every figure of ``report`` (set -> group -> figures) outside ``thresholds``, as readable lines."""
    failures = []
    for name, limits in thresholds.items():
        table = report.get(name)
        if table is None:
            failures.append(f"{name}: not measured")
            continue
        for group, bounds in limits.items():
            if group == "none_gap_max":
                with_marks = table.get("style d, copied rows") or table.get("style d")
                without = table.get("style none")
                if with_marks and without and with_marks["right"] - without["right"] > bounds + 1e-9:
                    failures.append(
                        f"{name}: no-diacritics rows {without['right']:.1%} right, "
                        f"{with_marks['right']:.1%} with diacritics (gap above {bounds:.0%})"
                    )
                continue
            figures = table.get(group, {})
            for key, bound in bounds.items():
                measure, kind = key.rsplit("_", 1)
                value = figures.get(measure, float("nan"))
                if (
                    value != value
                    or (kind == "max" and value > bound + 1e-9)
                    or (kind == "min" and value < bound - 1e-9)
                ):
                    failures.append(f"{name} {group}: {measure} {value:.1%} (limit {kind} {bound:.0%})")
    return failures


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gate", type=Path, help="thresholds file; exit 1 when a figure is outside it")
    args = parser.parse_args(argv)
    curated = load_directory(ROOT / "knowledge_base" / "procedures")
    report = run_sets(SETS, curated, WORK / "curated")
    report.update(run_sets((IMPORTED_SET,), curated + imported_records(), WORK / "imported"))
    for name, figures in report.items():
        print(markdown(name, figures["summary"]))
    (ROOT / "var" / "eval-real.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1, default=sorted), encoding="utf-8"
    )
    if args.gate:
        failures = check_gate(
            {name: figures["summary"] for name, figures in report.items()},
            yaml.safe_load(args.gate.read_text(encoding="utf-8")),
        )
        for failure in failures:
            print(f"GATE FAILED: {failure}")
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
