"""Scores the extractor against labelled records (the shape of corpus/dev/*.json).

`evaluate(corpus_dir) -> EvalReport` and `format_report(report) -> str`.

Scoring follows the labels (EXTRACTION_SPEC.md):
* relevant, design, sample_size, follow_up_days, outcome direction: exact match (a null gold
  value must be predicted null). follow_up_days has no tolerance: the spec normalises units
  (month = 30 days, year = 365), so "12 months" (360) and "1 year" (365) are different values.
* target_groups and guidance: set equality (order and duplicates ignored).
* Every field is scored on every record, near-misses included. The near-miss labels keep
  design, sample size and follow-up (and they are scored), and leave targets, guidance and the
  outcome empty; the extractor empties those on records it judges not relevant, so a wrong
  relevance decision also shows up there.
* A wrong value counts as flagged when the extraction has a flag on that field (for
  target_groups the "targets" flags, for direction the "outcome" flags).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

SCORED = ["relevant", "design", "sample_size", "target_groups", "guidance", "follow_up_days", "direction"]
FLAG_FIELD = {"relevant": "relevant", "design": "design", "sample_size": "sample_size",
              "target_groups": "targets", "guidance": "guidance", "follow_up_days": "follow_up",
              "direction": "outcome"}
EVIDENCE_FIELD = FLAG_FIELD


@dataclass
class Miss:
    record_id: str
    field: str
    gold: object
    predicted: object
    flagged: bool
    evidence: list
    flags: list


@dataclass
class FieldScore:
    n: int = 0
    correct: int = 0
    misses: list = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    @property
    def wrong(self) -> int:
        return self.n - self.correct

    @property
    def wrong_flagged(self) -> int:
        return sum(1 for m in self.misses if m.flagged)


@dataclass
class EvalReport:
    n_records: int
    fields: dict
    design_confusion: dict          # gold -> predicted -> count
    flagged_records: int = 0
    extractor_version: str = ""


def _value(field_name: str, obj: dict, gold: bool):
    if field_name == "direction":
        return (obj.get("outcome") or {}).get("direction")
    v = obj.get(field_name)
    if field_name in ("target_groups", "guidance"):
        return sorted(set(v or []))
    return v


def load_corpus(corpus_dir: Path) -> list[dict]:
    records = []
    for p in sorted(Path(corpus_dir).glob("*.json")):
        with open(p, encoding="utf-8") as fh:
            records.append(json.load(fh))
    return records


def evaluate(corpus_dir: Path, extractor=None) -> EvalReport:
    from . import EXTRACTOR_VERSION, build_extractor
    extractor = extractor or build_extractor()
    records = load_corpus(corpus_dir)
    inputs = [{"id": r.get("id"), "title": r.get("title") or "", "abstract": r.get("abstract") or "",
               "publication_types": r.get("publication_types") or []} for r in records]
    outputs = list(extractor.extract_many(inputs))
    scores = {f: FieldScore() for f in SCORED}
    confusion: dict = defaultdict(Counter)
    flagged_records = 0
    for rec, out in zip(records, outputs):
        labels = rec["labels"]
        flagged_fields = {f["field"] for f in out.get("flags", [])}
        flagged_records += bool(flagged_fields)
        confusion[str(labels.get("design"))][str(out.get("design"))] += 1
        for f in SCORED:
            gold, pred = _value(f, labels, True), _value(f, out, False)
            sc = scores[f]
            sc.n += 1
            if gold == pred:
                sc.correct += 1
            else:
                ef = EVIDENCE_FIELD[f]
                sc.misses.append(Miss(rec.get("id"), f, gold, pred, FLAG_FIELD[f] in flagged_fields,
                                      out["evidence"].get(ef, []),
                                      [x["reason"] for x in out.get("flags", []) if x["field"] == FLAG_FIELD[f]]))
    return EvalReport(len(records), scores, {k: dict(v) for k, v in confusion.items()},
                      flagged_records, EXTRACTOR_VERSION)


def format_report(report: EvalReport) -> str:
    lines = [f"extractor {report.extractor_version}: {report.n_records} labelled records, "
             f"{report.flagged_records} with at least one flag", ""]
    lines.append(f"{'field':<16}{'accuracy':>10}{'correct':>9}{'wrong':>7}{'wrong flagged':>15}")
    for f, sc in report.fields.items():
        lines.append(f"{f:<16}{sc.accuracy:>9.1%} {sc.correct:>4}/{sc.n:<4}{sc.wrong:>6}{sc.wrong_flagged:>9}/{sc.wrong:<5}")
    total_wrong = sum(sc.wrong for sc in report.fields.values())
    total_flagged = sum(sc.wrong_flagged for sc in report.fields.values())
    lines.append(f"{'all fields':<16}{'':>10}{'':>9}{total_wrong:>7}{total_flagged:>9}/{total_wrong:<5}")
    lines += ["", "design confusion (rows gold, columns predicted):"]
    designs = sorted({*report.design_confusion} | {p for row in report.design_confusion.values() for p in row})
    short = {d: d.replace("_observational", "_obs").replace("systematic_review", "sys_review")
             .replace("narrative_review", "narr_review").replace("nonrandomized_trial", "nonrand")
             .replace("technical_note", "tech_note") for d in designs}
    width = max(len(s) for s in short.values()) + 1
    lines.append(" " * width + "".join(f"{short[d][:11]:>12}" for d in designs))
    for g in designs:
        row = report.design_confusion.get(g, {})
        if not row:
            continue
        lines.append(f"{short[g]:<{width}}" + "".join(f"{row.get(p, 0) or '.':>12}" for p in designs))
    lines += ["", "misses (gold vs predicted, flagged?, evidence):"]
    for f, sc in report.fields.items():
        for m in sc.misses:
            ev = "; ".join(f"{e['rule']} {e['confidence']}: \"{e['text'][:90]}\"" for e in m.evidence[:2]) or "no evidence"
            flag = f"FLAGGED ({'; '.join(m.flags)[:80]})" if m.flagged else "not flagged"
            lines.append(f"- {m.record_id} {f}: gold={m.gold!r} predicted={m.predicted!r} [{flag}]")
            lines.append(f"    evidence: {ev}")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys
    print(format_report(evaluate(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus/dev"))))
