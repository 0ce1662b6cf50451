"""Held-out NLU evaluation per writing style, and the quality gate of `make test`.

    python -m tools evaluate --model models --data tests/nlu [--gate tests/nlu/thresholds.yml]

Each ``heldout_<style>.yml`` file is parsed by the trained model. Printed per style:
intent accuracy and macro-F1, entity F1 (entity type + normalised text), and
procedure-resolution accuracy: the procedure our actions would answer about
(DIET's entities, synonyms and knowledge-base search, as in production) against
the id written in the test file. Every example that missed is listed under the
table (and in the JSON report), so a drop can be traced to the sentences behind it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import yaml
from sklearn.metrics import f1_score

from knowledge_base.resolver import AMBIGUOUS, FOUND, resolve_procedure
from knowledge_base.schema import load_directory
from knowledge_base.search import ProcedureIndex
from knowledge_base.text import fold

NOT_FOUND_ID = "__not_found__"
AMBIGUOUS_ID = "__ambiguous__"
PROCEDURES_DIR = Path(__file__).resolve().parent.parent / "knowledge_base" / "procedures"


@dataclass
class Miss:
    """One held-out example the model or the resolver got wrong, and how."""

    text: str
    kind: str  # "intent", "entity" or "procedure"
    expected: str
    got: str


@dataclass
class StyleReport:
    """Metrics for one writing style."""

    style: str
    examples: int
    intent_accuracy: float
    intent_macro_f1: float
    entity_f1: float
    procedure_examples: int
    procedure_accuracy: float
    misses: List[Miss] = field(default_factory=list)


def load_examples(path: Path) -> List[Tuple[str, str, List[Dict]]]:
    """(text, intent, gold entities) from a Rasa NLU YAML file, entity offsets resolved."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [
        (message.get("text"), message.get("intent"), message.get("entities") or []) for message in data.intent_examples
    ]


def _entity_keys(text: str, entities: List[Dict]) -> Set[Tuple[str, str]]:
    return {(e["entity"], fold(text[e["start"] : e["end"]])) for e in entities}


def _spans(keys: Set[Tuple[str, str]]) -> str:
    return ", ".join(f"{entity}:{text}" for entity, text in sorted(keys)) or "-"


def misses_of(
    text: str,
    gold_intent: str,
    predicted_intent: Optional[str],
    gold_keys: Set[Tuple[str, str]],
    predicted_keys: Set[Tuple[str, str]],
    expected_id: Optional[str],
    resolved_id: Optional[str],
) -> List[Miss]:
    """What one example got wrong: its intent, its entity spans, the procedure answered about."""
    misses = []
    if predicted_intent != gold_intent:
        misses.append(Miss(text, "intent", gold_intent, str(predicted_intent)))
    if gold_keys != predicted_keys:
        misses.append(Miss(text, "entity", _spans(gold_keys), _spans(predicted_keys)))
    if expected_id is not None and resolved_id != expected_id:
        misses.append(Miss(text, "procedure", expected_id, str(resolved_id)))
    return misses


def _resolved_id(index: ProcedureIndex, text: str, entities: List[Dict]) -> str:
    values = [str(e.get("value")) for e in entities if e.get("entity") == "procedure"]
    resolution = resolve_procedure(index, text, values)
    if resolution.status == FOUND:
        return resolution.procedure_id
    return AMBIGUOUS_ID if resolution.status == AMBIGUOUS else NOT_FOUND_ID


async def evaluate_style(agent, index: ProcedureIndex, style: str, path: Path) -> StyleReport:
    gold_intents, predicted_intents = [], []
    true_positive = false_positive = false_negative = 0
    procedure_total = procedure_correct = 0
    misses: List[Miss] = []
    for text, intent, gold_entities in load_examples(path):
        parsed = await agent.parse_message(text)
        predicted_intent = (parsed.get("intent") or {}).get("name")
        gold_intents.append(intent)
        predicted_intents.append(predicted_intent)
        predicted = parsed.get("entities") or []
        gold_keys = _entity_keys(text, gold_entities)
        predicted_keys = _entity_keys(parsed.get("text", text), predicted)
        true_positive += len(gold_keys & predicted_keys)
        false_positive += len(predicted_keys - gold_keys)
        false_negative += len(gold_keys - predicted_keys)
        expected = [e["value"] for e in gold_entities if e["entity"] == "procedure"]
        resolved = None
        if expected:
            procedure_total += 1
            resolved = _resolved_id(index, text, predicted)
            procedure_correct += int(resolved == expected[0])
        expected_id = expected[0] if expected else None
        misses += misses_of(text, intent, predicted_intent, gold_keys, predicted_keys, expected_id, resolved)
    precision = true_positive / (true_positive + false_positive) if true_positive + false_positive else 0.0
    recall = true_positive / (true_positive + false_negative) if true_positive + false_negative else 0.0
    entity_f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    correct = sum(g == p for g, p in zip(gold_intents, predicted_intents))
    labels = sorted(set(gold_intents))
    return StyleReport(
        style=style,
        examples=len(gold_intents),
        intent_accuracy=round(correct / len(gold_intents), 4),
        intent_macro_f1=round(
            float(f1_score(gold_intents, predicted_intents, labels=labels, average="macro", zero_division=0)), 4
        ),
        entity_f1=round(entity_f1, 4),
        procedure_examples=procedure_total,
        procedure_accuracy=round(procedure_correct / procedure_total, 4) if procedure_total else 0.0,
        misses=misses,
    )


def latest_model(model: Path) -> Path:
    """A model file, or the newest .tar.gz in a directory."""
    if model.is_file():
        return model
    candidates = sorted(model.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not candidates:
        raise SystemExit(f"no trained model in {model}; run `make train`")
    return candidates[-1]


async def evaluate(model: Path, data: Path) -> List[StyleReport]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(latest_model(model)))
    index = ProcedureIndex(load_directory(PROCEDURES_DIR))
    reports = []
    for path in sorted(data.glob("heldout_*.yml")):
        style = path.stem.removeprefix("heldout_")
        reports.append(await evaluate_style(agent, index, style, path))
    return reports


def print_table(reports: List[StyleReport]) -> None:
    header = "| style | examples | intent accuracy | intent macro-F1 | entity F1 | procedure resolution |"
    print(header)
    print("|" + "---|" * 6)
    for r in reports:
        print(
            f"| {r.style} | {r.examples} | {r.intent_accuracy:.3f} | {r.intent_macro_f1:.3f} | "
            f"{r.entity_f1:.3f} | {r.procedure_accuracy:.3f} ({r.procedure_examples}) |"
        )


def print_misses(reports: List[StyleReport]) -> None:
    """Each missed example under its style: kind, sentence, expected → got."""
    for r in reports:
        if r.misses:
            print(f"\n{r.style}: {len(r.misses)} misses")
        for miss in r.misses:
            print(f"  {miss.kind:<9} {miss.text!r}: {miss.expected} → {miss.got}")


def check_gate(reports: List[StyleReport], thresholds: Dict[str, Dict[str, float]]) -> List[str]:
    """Every metric below its committed threshold, as readable lines."""
    failures = []
    by_style = {r.style: asdict(r) for r in reports}
    for style, minimums in thresholds.items():
        if style not in by_style:
            failures.append(f"{style}: no held-out file")
            continue
        for metric, minimum in minimums.items():
            value = by_style[style][metric]
            if value < minimum:
                failures.append(f"{style}: {metric} {value:.3f} < {minimum:.3f}")
    return failures


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=Path("models"))
    parser.add_argument("--data", type=Path, default=Path("tests/nlu"))
    parser.add_argument("--report", type=Path, help="write the figures as JSON here")
    parser.add_argument("--gate", type=Path, help="YAML of minimum figures per style; exit 1 below them")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    reports = asyncio.run(evaluate(args.model, args.data))
    print_table(reports)
    print_misses(reports)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps([asdict(r) for r in reports], indent=2), encoding="utf-8")
    if args.gate:
        failures = check_gate(reports, yaml.safe_load(args.gate.read_text(encoding="utf-8")))
        for failure in failures:
            print(f"NLU gate failed: {failure}", file=sys.stderr)
        if failures:
            return 1
        print("NLU gate passed")
    return 0
