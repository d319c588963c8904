"""Evidence and flags: the provenance every extracted value carries.

An `Evidence` item says where a value came from: the exact `text`, its character offsets
`start`/`end`, the `rule` that fired and a `confidence` in [0, 1]. Offsets index into the text
the extractor saw:

* for the record itself, `text = title + "\\n" + abstract` (so `text[start:end] == evidence.text`);
* for a full-text section, the item also has `"section": <section name>` and the offsets index
  into that section's own `text`.

A `FieldResult` is what every field module returns: the value, its evidence, and any flags the
module raised itself (rules disagreeing, a fallback guess). The extractor adds the generic flags
(confidence under threshold, core field missing) in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Evidence:
    text: str
    start: int
    end: int
    rule: str
    confidence: float
    section: str | None = None   # None: offsets are into title + "\n" + abstract

    def to_dict(self) -> dict:
        out = {"text": self.text, "start": self.start, "end": self.end,
               "rule": self.rule, "confidence": round(float(self.confidence), 3)}
        if self.section is not None:
            out["section"] = self.section
        return out


@dataclass
class FieldResult:
    value: Any = None
    evidence: list[Evidence] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)   # reasons; the field name is added later

    @property
    def confidence(self) -> float:
        return max((e.confidence for e in self.evidence), default=0.0)


def evidence_at(sentence, start: int, end: int, rule: str, confidence: float) -> Evidence:
    """Evidence for the slice [start, end) of a `Sentence` (offsets relative to the sentence)."""
    text = sentence.text[start:end]
    # trim whitespace so text == source[start:end] still holds
    lead = len(text) - len(text.lstrip())
    trail = len(text) - len(text.rstrip())
    s, e = sentence.start + start + lead, sentence.start + end - trail
    return Evidence(text=text.strip(), start=s, end=e, rule=rule,
                    confidence=confidence, section=sentence.source)


def sentence_evidence(sentence, rule: str, confidence: float) -> Evidence:
    return evidence_at(sentence, 0, len(sentence.text), rule, confidence)
