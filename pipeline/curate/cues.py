"""Where a flag's reason points in the text: every cue behind a flag, not only the winner's.

What: `segments(record)` cuts a record's title + "\\n" + abstract where a highlight starts or
ends (the extractor's evidence, flag cues, the curator's selected evidence). `cue_spans(text,
flags)` returns (start, end, field, reason) for the words of
title + "\\n" + abstract that a flag's reason names: both numbers of "rules disagree: largest
count 18, enrolment count 11" (as digits or words: "eleven", "Forty-two"), both designs of
"the text has both rct and case_series cues" or "title says rct, methods say case_series", and
any quoted phrase. The record page highlights them beside the extractor's own evidence.

Why: the extractor keeps evidence for the value it chose; a curator judging a disagreement
needs to see the other side too, wherever it is, title included.
"""

from __future__ import annotations

import re

from pipeline.curate.fields import FIELDS

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

# How a design named in a flag reads in an abstract (display hints only, not extraction rules).
DESIGN_WORDS = {
    "rct": r"randomi[sz]ed|randomly assigned|randomi[sz]ation",
    "nonrandomized_trial": r"non-?randomi[sz]ed|single-arm|open-label",
    "prospective_observational": r"prospective(?:ly)?|cohort",
    "retrospective_observational": r"retrospective(?:ly)?|chart review",
    "case_series": r"case series|consecutive patients",
    "case_report": r"case report|we report (?:a|the) case|a \d+-year-old",
    "systematic_review": r"systematic review|meta-analys[ie]s",
    "narrative_review": r"narrative review|review of the literature|we review",
    "protocol": r"protocol|will be randomi[sz]ed|will be enrolled",
    "technical_note": r"technical note|technique",
}


def number_words(n: int) -> list[str]:
    """Ways an abstract writes n: '11', 'eleven'; '42', 'forty-two', 'forty two'."""
    forms = [str(n)]
    if 0 <= n < 20:
        forms.append(_ONES[n])
    elif 20 <= n < 100:
        tens, ones = divmod(n, 10)
        forms += [_TENS[tens]] if not ones else [f"{_TENS[tens]}-{_ONES[ones]}", f"{_TENS[tens]} {_ONES[ones]}"]
    return forms


def _find(text: str, pattern: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(rf"(?<![\w.]){pattern}(?![\w]|\.\d)", text, re.I)]


def cue_spans(text: str, flags) -> list[tuple[int, int, str, str]]:
    """(start, end, field, reason) for each place in `text` a disagreement flag points at.

    `flags`: objects with `.field` (a curatable field name) and `.reason`."""
    spans = []
    for flag in flags:
        reason, field = flag.reason or "", flag.field
        if not field:
            continue
        patterns = [re.escape(q) for q in re.findall(r"[\"“']([^\"”']{3,80})[\"”']", reason)]
        if "disagree" in reason:
            tail = reason.split(":", 1)[-1]
            for number in re.findall(r"(?<![\d.])(\d{1,6})(?![\d.])", tail):
                patterns += ["|".join(re.escape(w) for w in number_words(int(number)))]
            for design, words in DESIGN_WORDS.items():
                if re.search(rf"\b{design}\b", tail):
                    patterns.append(f"(?:{words})")
        for pattern in patterns:
            for start, end in _find(text, f"(?:{pattern})"):
                spans.append((start, end, field, reason))
    return spans


EVIDENCE_FIELDS: dict[str, list[str]] = {}
for _spec in FIELDS.values():
    EVIDENCE_FIELDS.setdefault(_spec.extractor_name, []).append(_spec.name)


def segments(record) -> list[dict]:
    """title + "\\n" + abstract cut where a highlight starts or ends: for each piece its text,
    offset, the fields whose evidence covers it, the fields whose flag points at it (a cue) and
    the fields whose curator selected it."""
    text = record.text
    evidence = [(e.start, e.end, name) for e in record.evidence if e.in_text
                for name in EVIDENCE_FIELDS.get(e.field, [e.field])]
    pending = [f for state in record.fields.values() for f in state.flags]
    cues = [(s, e, f) for s, e, f, _ in cue_spans(text, pending)]
    chosen = [(o.evidence["start"], o.evidence["end"], name) for name, state in record.fields.items()
              for o in [state.override] if o and o.evidence and 0 <= o.evidence.get("start", -1)
              < o.evidence.get("end", -1) <= len(text)]
    spans = evidence + cues + chosen
    cuts = sorted({0, len(text), *[s for s, _, _ in spans], *[e for _, e, _ in spans]})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        def covering(found):
            return sorted({f for s, e, f in found if s <= a and b <= e}, key=_field_order)
        out.append({"text": text[a:b], "start": a, "fields": covering(evidence),
                    "cues": covering(cues), "chosen": covering(chosen)})
    return out


def _field_order(name: str):
    order = list(FIELDS)
    return (order.index(name) if name in order else len(order), name)
