"""relevant: cryoneurolysis / cryoanalgesia / cryoablation of nerves or neural targets in
humans to treat pain or spasticity.

Method: cue regexes from `pipeline/lexicon/vocab/relevance.json` over the title and abstract.
* A nerve-directed freezing cue ("cryoneurolysis", "cryoanalgesia", "intercostal nerve
  cryoablation", "nerves frozen with a cryoprobe", "freeze branches of the trigeminal nerve")
  makes the record relevant (0.95), unless the subjects are animals or cadavers only: animal
  words and no sentence about human subjects. A sentence that names people only as the field's
  general or future use ("increasingly used to treat pain in humans", "trials in patients are
  needed"), or a background sentence that is not about this study, is no human subject.
* An invasive freezing cue without a named nerve ("cryoablation therapy", "cryo group") counts
  when the problem treated is pain or spasticity and no non-neural target (tumour, metastasis,
  atrial fibrillation, renal mass) is in sight (0.7: flagged for review).
* Cryotherapy that is cold packs, icing or a cryosauna, radiofrequency without freezing, and
  tumour or cardiac cryoablation are not relevant.
"""

from __future__ import annotations

import re

from pipeline.lexicon.patterns import compile_cue
from pipeline.lexicon.vocabulary import load_vocab

from .evidence import FieldResult, evidence_at


class _Local:
    """A match's offsets relative to its sentence (same start()/end() API as re.Match)."""
    __slots__ = ("_s", "_e")

    def __init__(self, s: int, e: int):
        self._s, self._e = s, e

    def start(self) -> int:
        return self._s

    def end(self) -> int:
        return self._e


_OWN_STUDY = compile_cue(r"\b(?:this|we|our|present|current|here)\b", re.I)


def has_human_subjects(ctx, humans: re.Pattern, use_only: re.Pattern) -> bool:
    """Does any sentence name people as this study's subjects? Cached on the context."""
    key = ("human_subjects", humans.pattern)
    if key not in ctx.cache:
        ctx.cache[key] = any(
            humans.search(s.text) and not use_only.search(s.text)
            and not (s.section == "background" and not _OWN_STUDY.search(s.text))
            for s in ctx.sentences)
    return ctx.cache[key]


def _any(patterns: list[str]) -> re.Pattern:
    return compile_cue("|".join(f"(?:{p})" for p in patterns))


class RelevanceRules:
    def __init__(self, vocab: dict):
        self.nerve_cryo = _any(vocab["nerve_cryo"])
        self.invasive = _any(vocab["invasive_cryo"])
        self.pain = _any(vocab["pain_context"])
        self.off_target = _any(vocab["off_target"])
        self.cold = _any(vocab["cold_application"])
        self.animal = compile_cue(vocab["animal"])
        self.humans = compile_cue(vocab["humans"], re.I)
        self.use_only = compile_cue(vocab["human_use_only"], re.I)

    def first(self, rx, sentences):
        """First match in the main text, searched once, with the sentence that holds it."""
        if not sentences:
            return None
        text = self._text
        for m in rx.finditer(text):
            for s in sentences:
                if s.start <= m.start() and m.end() <= s.end:
                    return s, _Local(m.start() - s.start, m.end() - s.start)
        return None

    def __call__(self, ctx) -> FieldResult:
        sents = ctx.main_sentences
        full = self._text = ctx.text
        animal = self.animal.search(full) and not has_human_subjects(ctx, self.humans, self.use_only)
        strong = self.first(self.nerve_cryo, sents)
        if strong:
            s, m = strong
            ev = evidence_at(s, m.start(), m.end(), "relevant.nerve_cryo", 0.95)
            if animal:
                a = self.first(self.animal, sents)
                return FieldResult(False, [evidence_at(a[0], a[1].start(), a[1].end(), "relevant.animal_only", 0.9)])
            return FieldResult(True, [ev])
        weak = self.first(self.invasive, sents)
        if weak and not animal:
            s, m = weak
            off = self.first(self.off_target, sents)
            if not off and self.pain.search(full) and not self.cold.search(full):
                return FieldResult(True, [evidence_at(s, m.start(), m.end(), "relevant.invasive_cryo_for_pain", 0.7)])
            if off:
                return FieldResult(False, [evidence_at(off[0], off[1].start(), off[1].end(), "relevant.off_target", 0.85)])
        for rx, rule in ((self.cold, "relevant.cold_application"), (self.off_target, "relevant.off_target"),
                         (self.animal, "relevant.animal_only"), (self.invasive, "relevant.no_neural_target")):
            hit = self.first(rx, sents)
            if hit:
                return FieldResult(False, [evidence_at(hit[0], hit[1].start(), hit[1].end(), rule, 0.85)])
        s = sents[0] if sents else None
        if s is None:
            return FieldResult(False, [])
        return FieldResult(False, [evidence_at(s, 0, len(s.text), "relevant.no_cryo_nerve_cue", 0.8)])


def build_relevance_rules(config: dict | None = None) -> RelevanceRules:
    config = config or {}
    return RelevanceRules(load_vocab("relevance", config.get("relevance_vocab")))
