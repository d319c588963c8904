"""guidance: how the freezing probe was guided (ultrasound, fluoroscopy, ct, mri,
nerve_stimulator, landmark, surgical, blind); an empty list when the text does not say.

Method: cue regexes per modality (`vocab/guidance.json`) over each sentence.
* An imaging modality counts only as guidance ("ultrasound-guided", "under CT", "with
  ultrasound guidance", "US-guided" with US defined in the abstract), never as an outcome
  measure ("follow-up computed tomographic scanning", "fluoroscopy time").
* nerve_stimulator needs a locating context ("identified using transcutaneous electrical nerve
  stimulation", "lesion points are defined with the help of sensory stimulation"); spinal
  cord stimulation as a therapy is not guidance.
* surgical is direct vision during open or endoscopic surgery: "intraoperative(ly)" applied to
  the freezing (not "intraoperative data"), "frozen during surgery", "before closure", "at
  thoracotomy", "after mesh repair". It needs a freezing word in the sentence and is cancelled
  by "percutaneous", "without exposing" and by time points ("two weeks after surgery").
* "blind" needs a technique noun so "double-blind" never counts.
"""

from __future__ import annotations

import re

from .evidence import Evidence, FieldResult, evidence_at
from .vocabulary import load_vocab

ORDER = ["ultrasound", "fluoroscopy", "ct", "mri", "nerve_stimulator", "landmark", "surgical", "blind"]


class GuidanceRules:
    def __init__(self, vocab: dict):
        self.cues = {k: [(re.compile(p, re.I), w) for p, w in v] for k, v in vocab["cues"].items()}
        # one alternation per modality, searched once over the text (group i+1 = cue i)
        self.combined = [(k, re.compile("|".join(f"({p})" for p, _ in v), re.I), [w for _, w in v])
                         for k, v in vocab["cues"].items()]
        self.context = {k: re.compile(v, re.I) for k, v in vocab["needs_context"].items()}
        self.keys = vocab.get("keys", {})
        self.negative = {k: re.compile(v, re.I) for k, v in vocab["not_guidance"].items()}

    def __call__(self, ctx) -> FieldResult:
        result = FieldResult(value=[])
        found: dict[str, Evidence] = {}
        for modality, rx, weights in self.combined:
            if modality in self.keys and not ctx.has_any(self.keys[modality]):
                continue
            for sentence, m in ctx.find(rx):
                text = sentence.text
                if modality in self.context and not self.context[modality].search(text):
                    continue
                if modality in self.negative and self.negative[modality].search(text):
                    continue
                s, e = m.start() - sentence.start, m.end() - sentence.start
                found[modality] = evidence_at(sentence, s, e, f"guidance.{modality}", weights[(m.lastindex or 1) - 1])
                break
        if ctx.results.get("design") and ctx.results["design"].value in ("systematic_review", "narrative_review"):
            # a review's modality words summarise the studies it includes: keep, but flag
            found = {k: Evidence(e.text, e.start, e.end, e.rule + ".in_review", round(e.confidence * 0.7, 3), e.section)
                     for k, e in found.items()}
        result.value = [m for m in ORDER if m in found]
        result.evidence = [found[m] for m in result.value]
        return result


def build_guidance_rules(config: dict | None = None) -> GuidanceRules:
    config = config or {}
    return GuidanceRules(load_vocab("guidance", config.get("guidance_vocab")))
