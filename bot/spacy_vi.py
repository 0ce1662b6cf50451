"""Build the blank spaCy Vietnamese pipeline (pyvi word segmentation) that SpacyNLP loads.

No model download: ``spacy.blank("vi")`` plus pyvi from PyPI, saved to disk so the
Rasa config can point at a path. Usage: ``python -m bot.spacy_vi var/spacy_vi``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import spacy


def build(target: Path) -> Path:
    """Save a blank ``vi`` pipeline to ``target`` and return it."""
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": True}}})
    nlp.meta["name"] = "citizen_vi_blank"
    nlp.meta["description"] = "Blank Vietnamese pipeline with pyvi word segmentation"
    target.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    return target


if __name__ == "__main__":
    print(build(Path(sys.argv[1] if len(sys.argv) > 1 else "var/spacy_vi")))
