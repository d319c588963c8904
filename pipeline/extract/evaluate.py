"""Scores the extractor against labelled records (the shape of corpus/dev/*.json).

`evaluate(corpus_dir, only=..., near_misses=...) -> EvalReport` and `format_report(report)`.

What is scored follows the corpus README and EXTRACTION_SPEC.md:
* `relevant` is scored on every record. The structural fields (design, sample size, target
  groups, guidance, follow-up, outcome direction) are scored on relevant records and on
  near-misses marked `structural_labels: true`, whose fields are labelled as if the procedure
  were the topic; on the other near-misses only `relevant` is labelled, so only it is scored.
* Exact match for relevant, design, sample_size, follow_up_days and direction (a null gold value
  must be predicted null; no tolerance on days: "12 months" is 360, "1 year" 365). Set equality
  for target_groups and guidance.
* A value is flagged when the extraction has a flag on its field (target_groups: the "targets"
  flags; direction: the "outcome" flags). The point of flags is that a curator sees the wrong
  values: "wrong and unflagged" is the error a reviewer would never see, reported per field and
  as a share of all scored cells, next to the share of correct values that were flagged anyway
  (flagging everything is no answer).
* Reliability: each value's confidence (the extraction's per-field `confidence`) in bands, with
  the accuracy observed in each band, so a threshold can be read off rather than guessed.
"""

from __future__ import annotations

import fnmatch
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .calibration import deciding_rule

STRUCTURAL = ["design", "sample_size", "target_groups", "guidance", "follow_up_days", "direction"]
SCORED = ["relevant"] + STRUCTURAL
FLAG_FIELD = {"relevant": "relevant", "design": "design", "sample_size": "sample_size",
              "target_groups": "targets", "guidance": "guidance", "follow_up_days": "follow_up",
              "direction": "outcome"}
BANDS = [(0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)]


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
    correct_flagged: int = 0
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

    @property
    def wrong_unflagged(self) -> int:
        return self.wrong - self.wrong_flagged

    @property
    def unflagged_accuracy(self) -> float:
        unflagged = self.n - self.correct_flagged - self.wrong_flagged
        return (self.correct - self.correct_flagged) / unflagged if unflagged else 0.0


@dataclass
class EvalReport:
    n_records: int
    fields: dict
    design_confusion: dict          # gold -> predicted -> count
    reliability: dict               # band -> [n, correct]
    rules: dict = field(default_factory=dict)   # deciding rule -> [values, correct]
    flagged_records: int = 0
    extractor_version: str = ""

    @property
    def cells(self) -> int:
        return sum(sc.n for sc in self.fields.values())


def _value(field_name: str, obj: dict):
    if field_name == "direction":
        return (obj.get("outcome") or {}).get("direction")
    v = obj.get(field_name)
    if field_name in ("target_groups", "guidance"):
        return sorted(set(v or []))
    return v


def _confidence(field_name: str, out: dict) -> float:
    conf = out.get("confidence") or {}
    key = FLAG_FIELD[field_name]
    if key in conf:
        return float(conf[key])
    return max((e["confidence"] for e in out["evidence"].get(key, [])), default=0.0)


def scored_fields(record: dict) -> list[str]:
    labels = record["labels"]
    return SCORED if labels.get("relevant") or record.get("structural_labels") else ["relevant"]


def load_corpus(corpus_dir: Path, only: list[str] | None = None,
                near_misses: bool = False) -> list[dict]:
    """The labelled records; `only` keeps those whose id or file stem matches a name or glob,
    `near_misses` those whose gold relevance is false."""
    records = []
    for p in sorted(Path(corpus_dir).glob("*.json")):
        with open(p, encoding="utf-8") as fh:
            rec = json.load(fh)
        names = {p.stem, str(rec.get("id"))}
        if only and not any(fnmatch.fnmatchcase(n, pat) for pat in only for n in names):
            continue
        if near_misses and rec["labels"].get("relevant"):
            continue
        records.append(rec)
    return records


def evaluate(corpus_dir: Path, extractor=None, only: list[str] | None = None,
             near_misses: bool = False) -> EvalReport:
    from . import EXTRACTOR_VERSION, build_extractor
    extractor = extractor or build_extractor()
    records = load_corpus(corpus_dir, only, near_misses)
    inputs = [{"id": r.get("id"), "title": r.get("title") or "", "abstract": r.get("abstract") or "",
               "publication_types": r.get("publication_types") or []} for r in records]
    outputs = list(extractor.extract_many(inputs))
    scores = {f: FieldScore() for f in SCORED}
    confusion: dict = defaultdict(Counter)
    reliability: dict = {band: [0, 0] for band in BANDS}
    rules: dict = defaultdict(lambda: [0, 0])
    flagged_records = 0
    for rec, out in zip(records, outputs):
        labels = rec["labels"]
        flagged_fields = {f["field"] for f in out.get("flags", [])}
        flagged_records += bool(flagged_fields)
        fields = scored_fields(rec)
        if "design" in fields:
            confusion[str(labels.get("design"))][str(out.get("design"))] += 1
        for f in fields:
            gold, pred = _value(f, labels), _value(f, out)
            sc = scores[f]
            sc.n += 1
            flagged = FLAG_FIELD[f] in flagged_fields
            if pred not in (None, []):
                conf = _confidence(f, out)
                band = next(b for b in BANDS if b[0] <= conf < b[1])
                reliability[band][0] += 1
                reliability[band][1] += gold == pred
                rule = deciding_rule(FLAG_FIELD[f], out["evidence"].get(FLAG_FIELD[f], []))
                if rule:
                    rules[rule][0] += 1
                    rules[rule][1] += gold == pred
            if gold == pred:
                sc.correct += 1
                sc.correct_flagged += flagged
            else:
                key = FLAG_FIELD[f]
                sc.misses.append(Miss(rec.get("id"), f, gold, pred, flagged, out["evidence"].get(key, []),
                                      [x["reason"] for x in out.get("flags", []) if x["field"] == key]))
    return EvalReport(len(records), scores, {k: dict(v) for k, v in confusion.items()},
                      reliability, dict(rules), flagged_records, EXTRACTOR_VERSION)


def _pct(a: int, b: int) -> str:
    return f"{a / b:.1%}" if b else "-"


def format_report(report: EvalReport, misses: bool = True) -> str:
    lines = [f"extractor {report.extractor_version}: {report.n_records} labelled records, "
             f"{report.flagged_records} with at least one flag", ""]
    lines.append(f"{'field':<16}{'accuracy':>9}{'correct':>10}{'unflagged acc':>15}"
                 f"{'wrong':>7}{'wrong unflagged':>17}{'correct flagged':>17}")
    for f, sc in report.fields.items():
        if not sc.n:
            continue
        lines.append(f"{f:<16}{_pct(sc.correct, sc.n):>9}{f'{sc.correct}/{sc.n}':>10}"
                     f"{_pct(sc.correct - sc.correct_flagged, sc.n - sc.correct_flagged - sc.wrong_flagged):>15}"
                     f"{sc.wrong:>7}{sc.wrong_unflagged:>17}{_pct(sc.correct_flagged, sc.correct):>17}")
    cells = report.cells
    wrong = sum(sc.wrong for sc in report.fields.values())
    unflagged = sum(sc.wrong_unflagged for sc in report.fields.values())
    correct = sum(sc.correct for sc in report.fields.values())
    correct_flagged = sum(sc.correct_flagged for sc in report.fields.values())
    lines.append(f"{'all fields':<16}{_pct(correct, cells):>9}{f'{correct}/{cells}':>10}{'':>15}"
                 f"{wrong:>7}{unflagged:>17}{_pct(correct_flagged, correct):>17}")
    lines.append(f"wrong and unflagged: {unflagged} of {cells} scored cells ({_pct(unflagged, cells)}); "
                 f"correct values flagged: {correct_flagged} of {correct} ({_pct(correct_flagged, correct)})")
    lines += ["", "reliability (non-empty values: confidence band, values, observed accuracy):"]
    for (lo, hi), (n, ok) in report.reliability.items():
        lines.append(f"  [{lo:.1f}, {min(hi, 1.0):.1f}{']' if hi > 1 else ')'}{n:>6}{_pct(ok, n):>9}")
    weak = sorted((ok / n, n, rule) for rule, (n, ok) in report.rules.items() if ok < n)
    if weak:
        lines += ["", "rules that decided a wrong value (observed accuracy, values):"]
        lines += [f"  {rule:<44}{acc:>7.1%}{n:>6}" for acc, n, rule in weak]
    if report.design_confusion:
        lines += ["", "design confusion (rows gold, columns predicted):"]
        lines += _confusion(report.design_confusion)
    if misses:
        lines += ["", "misses (gold vs predicted, flagged?, evidence):"]
        for f, sc in report.fields.items():
            for m in sc.misses:
                ev = "; ".join(f"{e['rule']} {e['confidence']}: \"{e['text'][:90]}\"" for e in m.evidence[:2]) or "no evidence"
                flag = f"FLAGGED ({'; '.join(m.flags)[:80]})" if m.flagged else "not flagged"
                lines.append(f"- {m.record_id} {f}: gold={m.gold!r} predicted={m.predicted!r} [{flag}]")
                lines.append(f"    evidence: {ev}")
    return "\n".join(lines)


def _confusion(confusion: dict) -> list[str]:
    designs = sorted({*confusion} | {p for row in confusion.values() for p in row})
    short = {d: d.replace("_observational", "_obs").replace("systematic_review", "sys_review")
             .replace("narrative_review", "narr_review").replace("nonrandomized_trial", "nonrand")
             .replace("technical_note", "tech_note") for d in designs}
    width = max(len(s) for s in short.values()) + 1
    lines = [" " * width + "".join(f"{short[d][:11]:>12}" for d in designs)]
    for g in designs:
        row = confusion.get(g, {})
        if row:
            lines.append(f"{short[g]:<{width}}" + "".join(f"{row.get(p, 0) or '.':>12}" for p in designs))
    return lines
