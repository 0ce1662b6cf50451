"""Build the blank spaCy Vietnamese pipeline (pyvi word segmentation) that SpacyNLP loads.

No model download: ``spacy.blank("vi")`` plus pyvi from PyPI, saved to disk so the
Rasa config can point at a path. Usage: ``python -m tools build-spacy var/spacy_vi``.
"""

from __future__ import annotations

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
