"""Calibration: a rule's confidence, corrected by how often its values were right on labelled
records.

Each rule starts from the confidence its author gave it, a prior belief. `litmine eval
--calibrate` counts, per rule, the values it decided on the labelled corpus and how many were
right, and writes them to `pipeline/lexicon/vocab/calibration.json`. A field's confidence is then the posterior
mean of a Beta prior worth `prior_strength` observations centred on the rule's own confidence
(the usual shrinkage estimate, as in empirical-Bayes calibration of rule precision):

    (correct + k * prior) / (n + k)

so a rule seen a handful of times barely moves, and one that was wrong half the time on a
hundred values ends near one half. The counts come from records the rules were written against,
so they are optimistic; `prior_strength` is set high to keep that optimism small.

A list field (targets, guidance) is as trustworthy as its weakest value, so its confidence is
that of its least confident evidence; a single-valued field's is its deciding evidence's.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.lexicon.vocabulary import VOCAB_DIR


LIST_FIELDS = ("targets", "guidance")


def deciding(field: str, evidence: list, confidence=lambda e: e.confidence):
    """The evidence item that sets a field's confidence: a list field's weakest, else its first."""
    if not evidence:
        return None
    return min(evidence, key=confidence) if field in LIST_FIELDS else evidence[0]


class Calibration:
    def __init__(self, counts: dict[str, tuple[int, int]] | None = None, prior_strength: float = 20.0):
        self.counts = dict(counts or {})
        self.k = prior_strength

    def confidence(self, rule: str, prior: float) -> float:
        n, correct = self.counts.get(rule, (0, 0))
        return round((correct + self.k * prior) / (n + self.k), 3)

    def field_confidence(self, field: str, evidence: list) -> float | None:
        ev = deciding(field, evidence)
        return None if ev is None else self.confidence(ev.rule, ev.confidence)

    def to_json(self, path: Path) -> None:
        data = {"_doc": "Per rule: [values it decided on the labelled corpus, values that were right]. "
                        "Written by `litmine eval --calibrate`; read by calibration.py.",
                "prior_strength": self.k,
                "rules": {rule: list(v) for rule, v in sorted(self.counts.items())}}
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def deciding_rule(field: str, evidence: list[dict]) -> str | None:
    """The rule whose evidence sets a field's confidence, from an extraction's evidence dicts."""
    ev = deciding(field, evidence, confidence=lambda e: e["confidence"])
    return None if ev is None else ev["rule"]


def load_calibration(path: str | Path | None = None) -> Calibration:
    p = Path(path) if path else VOCAB_DIR / "calibration.json"
    if not p.exists():
        return Calibration()
    data = json.loads(p.read_text(encoding="utf-8"))
    return Calibration({r: tuple(v) for r, v in data.get("rules", {}).items()}, data.get("prior_strength", 20.0))
