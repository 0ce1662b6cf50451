"""``make resolution-curve``: the resolver's trade-off on the real-question sets, without servers.

The trained NLU model parses every development question once (cached in ``var/nlu-parses.json``
per model); the resolver then decides each question the way ``action_answer_procedure`` does, for
a sweep of answer thresholds. Printed: harmful rate against right-procedure rate per set, the
curve the README shows, so a threshold is chosen on evidence rather than by feel.

``make eval-real`` remains the measure of record: it asks the running stack.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.procedures import resolve_turn  # noqa: E402
from actions.service_help import OTHER_INTENTS  # noqa: E402
from bench.real_questions import (  # noqa: E402
    IMPORTED_SET,
    QUESTIONS,
    SETS,
    Outcome,
    Row,
    imported_records,
    load_rows,
    markdown,
    summarise,
)
from core.contract import FIELD_OF_INTENT, Intent  # noqa: E402
from knowledge_base.answers import field_title  # noqa: E402
from knowledge_base.question_kind import answer_field  # noqa: E402
from knowledge_base.resolver import AMBIGUOUS, FOUND, ResolverPolicy  # noqa: E402
from knowledge_base.schema import load_directory  # noqa: E402
from knowledge_base.search import ProcedureIndex  # noqa: E402

CACHE = ROOT / "var" / "nlu-parses.json"
# The two knobs of ResolverPolicy swept one at a time (the other at its chosen value): how much
# of the message's specific words the winner must explain, and the evidence score it must reach.
SWEEPS = {"min_explained": (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7), "answer_score": (0.55, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)}


def latest_model() -> Path:
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise SystemExit("no trained model: run `make train` first")
    return models[-1]


def parse_all(texts: Sequence[str]) -> Dict[str, dict]:
    """Intent and entities for each text, from the newest model (cached per model file)."""
    model = latest_model()
    cache = json.loads(CACHE.read_text(encoding="utf-8")) if CACHE.exists() else {}
    parses = cache.get(model.name, {})
    missing = [text for text in dict.fromkeys(texts) if text not in parses or "ranking" not in parses[text]]
    if missing:
        from rasa.core.agent import Agent

        agent = Agent.load(str(model))
        logging.disable(logging.WARNING)

        async def parse() -> None:
            for text in missing:
                result = await agent.parse_message(text)
                parses[text] = {
                    "intent": (result.get("intent") or {}).get("name"),
                    "ranking": [item["name"] for item in result.get("intent_ranking") or []],
                    "entities": [e["value"] for e in result.get("entities", []) if e.get("entity") == "procedure"],
                }

        asyncio.run(parse())
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_text(json.dumps({model.name: parses}, ensure_ascii=False), encoding="utf-8")
    return parses


def decide(index: ProcedureIndex, row: Row, parse: dict, policy: ResolverPolicy) -> Outcome:
    """What the assistant answers to ``row`` in a fresh conversation (as action_answer_procedure
    and action_fallback do); the reply is reduced to the heading of the field answered."""
    intent = Intent.NLU_FALLBACK if parse["intent"] in OTHER_INTENTS else parse["intent"]
    resolution = resolve_turn(index, intent, row.text, parse["entities"], None, policy)
    answered = resolution.procedure_id if resolution.status == FOUND else None
    choices = [hit.id for hit in resolution.choices] if resolution.status == AMBIGUOUS else []
    ranked = next((name for name in [parse["intent"], *parse.get("ranking", [])] if name in FIELD_OF_INTENT), None)
    field = answer_field(row.text, FIELD_OF_INTENT.get(ranked or ""))
    reply = f"{field_title(field)} – " if answered else ""
    return Outcome(row, answered, reply, choices=tuple(choices), status=resolution.status)


def run(policy: ResolverPolicy, sets: Sequence[str], verbose: bool = False) -> Dict[str, dict]:
    curated = load_directory(ROOT / "knowledge_base" / "procedures")
    indexes = {"curated": ProcedureIndex(curated), "imported": ProcedureIndex(curated + imported_records())}
    rows = {name: load_rows(QUESTIONS / name) for name in sets}
    parses = parse_all([row.text for name in sets for row in rows[name]])
    report = {}
    for name in sets:
        index = indexes["imported" if name == IMPORTED_SET else "curated"]
        outcomes = [decide(index, row, parses[row.text], policy) for row in rows[name]]
        report[name] = summarise(outcomes)
        if verbose:
            for outcome in outcomes:
                wrong = outcome.harmful or (outcome.row.cat in ("IN", "IMPORTED") and not outcome.right)
                if wrong:
                    print(
                        f"{'HARM' if outcome.harmful else 'MISS'} {outcome.row.id} {outcome.row.cat} "
                        f"want={sorted(outcome.row.procedures)} got={outcome.procedure_id} "
                        f"{outcome.status} {list(outcome.choices)} intent={parses[outcome.row.text]['intent']} "
                        f"ents={parses[outcome.row.text]['entities']} | {outcome.row.text[:110]}"
                    )
    return report


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every harmful answer and every miss")
    parser.add_argument("--sweep", action="store_true", help="print the harmful/right curve over answer thresholds")
    args = parser.parse_args(argv)
    sets = (*SETS, IMPORTED_SET)
    policy = ResolverPolicy()
    if not args.sweep:
        report = run(policy, sets, args.verbose)
        for name in sets:
            print(markdown(name, report[name]))
        return 0
    for knob, values in SWEEPS.items():
        print(
            f"| {knob} | portal harmful | portal right | legal harmful | legal right | "
            "imported harmful | imported right |\n|---|---|---|---|---|---|---|"
        )
        for value in values:
            report = run(replace(policy, **{knob: value}), sets)
            cells = [f"{report[name]['all'][key]:.1%}" for name in sets for key in ("harmful", "right")]
            marker = " (chosen)" if value == getattr(policy, knob) else ""
            print(f"| {value:.2f}{marker} | " + " | ".join(cells) + " |")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
