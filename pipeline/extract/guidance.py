"""guidance: how the treatment was guided (ultrasound, fluoroscopy, ct, mri, nerve_stimulator,
landmark, surgical, blind); an empty list when the text does not say.

Method: every modality mention (`pipeline/lexicon/vocab/guidance.json`: synonyms such as sonographic,
US-guided, ultrasound-controlled, C-arm, image intensifier, cone-beam CT, CT fluoroscopy,
electrical stimulation, direct vision, thoracoscopic, intraoperative) is found, then given a
role from the words around it; only mentions whose role is the study's own treatment count.

Roles
* treatment - the default for a mention in the study's own methods or results.
* diagnostic - the modality guided only a diagnostic or prognostic block ("a prognostic block
  under fluoroscopy, then ... ") while the study treats with something else (freezing,
  ablation, neurolysis); it is not how the treatment was guided.
* alternative / background - named as usual practice or as what the study avoids ("to date,
  injections have been performed under fluoroscopic guidance", "traditionally", "instead of
  CT", "compared with ultrasound"), or in a background sentence that is not about this study.
* outcome - imaging used to assess, not to guide ("follow-up computed tomography", "MRI
  showed", "fluoroscopy time").

Modality-specific conditions stay in the vocabulary: nerve_stimulator needs a locating context
and is never stimulation given as the therapy (leads, implanted systems, PNS); surgical (direct
vision during open or endoscopic surgery) needs a freezing word and is cancelled by
"percutaneous" and by time points ("two weeks after surgery"); "blind" needs a technique noun
so "double-blind" never counts. A review's modality words summarise the studies it includes:
kept, at a confidence that sends them to a curator. So is a modality the abstract names only in
its background, when it names none for the study itself.
"""

from __future__ import annotations

import re

from pipeline.lexicon.modalities import ORDER, guidance_cues, not_guidance
from pipeline.lexicon.patterns import compile_cue
from pipeline.lexicon.vocabulary import load_vocab

from .evidence import Evidence, FieldResult, evidence_at

_REVIEWS = ("systematic_review", "narrative_review")
# a diagnostic or prognostic block, and the words of a treatment that is not a block
DIAGNOSTIC_BLOCK = compile_cue(r"\b(?:diagnostic|prognostic|test|screening|local\s+an(?:a)?esthetic|confirmatory)\s+(?:\w+\s+){0,3}?(?:blocks?|injections?)\b", re.I)
TREATMENT_WORDS = compile_cue(r"\b(?:cryo\w*|freez\w*|froze\w*|ablat\w*|neurolys\w*|neurolytic|lesion\w*|denervat\w*|neurotom\w*|rhizotom\w*|radiofrequency|(?-i:P?RFA?))\b", re.I)
# usual practice, history, what the study avoids or compares against
ALTERNATIVE_BEFORE = compile_cue(r"\b(?:instead\s+of|rather\s+than|compared\s+(?:with|to)|versus|vs\.?|alternative\s+to|without\s+(?:the\s+need\s+for\s+)?|as\s+opposed\s+to)\s+(?:\w+\s+){0,3}$", re.I)
USUAL_PRACTICE = compile_cue(r"\b(?:to\s+date|traditionally|conventionally|historically|classically|usually|commonly|typically|"
                            r"(?:has|have)\s+(?:traditionally\s+|typically\s+|usually\s+|commonly\s+)?been\s+(?:performed|done|used|carried\s+out)|"
                            r"previously\s+(?:described|reported)|in\s+the\s+literature)\b", re.I)
OWN_STUDY = compile_cue(r"\b(?:this|we|our|present|current|here(?:in)?|aims?|aimed|purpose|objectives?|goal)\b", re.I)
ASSESSMENT_AFTER = compile_cue(r"^\W{0,3}(?:\w+\s+){0,2}?(?:showed|revealed|demonstrated|confirmed\s+the\s+(?:diagnosis|lesion)|scans?\b|scanning|findings|times?\b|dose)", re.I)
ASSESSMENT_BEFORE = compile_cue(r"\b(?:(?:follow-?up|post-?(?:operative|procedural|treatment))\s+|diagnos\w+\s+by\s+|(?:seen|visible|shown|evident|detected)\s+on\s+)$", re.I)


def mention_role(sentence, start: int, end: int, treatment_elsewhere: bool) -> str:
    """treatment, diagnostic, alternative, background or outcome, for the mention text[start:end]."""
    text = sentence.text
    before, after = text[max(0, start - 60): start], text[end:]
    if ALTERNATIVE_BEFORE.search(before):
        return "alternative"
    if USUAL_PRACTICE.search(text) and not OWN_STUDY.search(text):
        return "alternative"
    if sentence.section == "background" and not OWN_STUDY.search(text):
        return "background"
    if ASSESSMENT_AFTER.match(after) or ASSESSMENT_BEFORE.search(before):
        return "outcome"
    if treatment_elsewhere:
        block = None
        for m in DIAGNOSTIC_BLOCK.finditer(text):
            block = m
        if block is not None:
            # the procedure word nearest to the mention decides what it guided
            near = [(abs(m.start() - start), "treatment") for m in TREATMENT_WORDS.finditer(text)]
            near += [(abs(m.start() - start), "diagnostic") for m in DIAGNOSTIC_BLOCK.finditer(text)]
            if min(near)[1] == "diagnostic":
                return "diagnostic"
    return "treatment"


class GuidanceRules:
    def __init__(self, vocab: dict):
        # one alternation per modality, searched once over the text (group i+1 = cue i)
        self.combined = guidance_cues(vocab)
        self.context = {k: compile_cue(v, re.I) for k, v in vocab["needs_context"].items()}
        self.keys = vocab.get("keys", {})
        self.negative = not_guidance(vocab)

    def __call__(self, ctx) -> FieldResult:
        result = FieldResult(value=[])
        found: dict[str, Evidence] = {}
        background: dict[str, Evidence] = {}
        treatment_elsewhere = bool(TREATMENT_WORDS.search(ctx.all_text))
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
                role = mention_role(sentence, s, e, treatment_elsewhere)
                if role == "background" and modality not in background:
                    background[modality] = evidence_at(sentence, s, e, f"guidance.{modality}.background_only", 0.5)
                if role != "treatment":
                    continue
                found[modality] = evidence_at(sentence, s, e, f"guidance.{modality}", weights[(m.lastindex or 1) - 1])
                break
        if not found:
            # the abstract names a modality only in its background: likely the study's own, unconfirmed
            found = background
        design = ctx.results.get("design")
        if design and design.value in _REVIEWS:
            found = {k: Evidence(e.text, e.start, e.end, e.rule + ".in_review", round(e.confidence * 0.6, 3), e.section)
                     for k, e in found.items()}
        result.value = [m for m in ORDER if m in found]
        result.evidence = [found[m] for m in result.value]
        return result


def build_guidance_rules(config: dict | None = None) -> GuidanceRules:
    config = config or {}
    return GuidanceRules(load_vocab("guidance", config.get("guidance_vocab")))
