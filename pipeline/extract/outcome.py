"""outcome: the main efficacy finding - its sentence, the numbers it states and its direction.

Method
* Candidate sentences: results and conclusions of a structured abstract (any non-background
  sentence when those give nothing); in an unstructured abstract every sentence except aims.
  Aims ("The aim was to evaluate..."), research still needed ("RCTs are needed") and
  safety-only statements (complications, adverse effects, numbness with no efficacy word)
  are skipped: they are not the efficacy finding.
* Each clause (split at "but", "however", "whereas", ";") gets a direction from cue regexes:
  worse ("epidural provided better analgesia than cryoanalgesia", "cryo increased pain") >
  no_difference ("no significant difference", "did not decrease", "were equal",
  "failed to") > improved ("significantly lower pain", "pain free", "relief", "reduced
  opioid use", "effective").
* Which finding is the main one: a sentence about the primary outcome first, then the first
  directional sentence of the conclusions, then the first one of the results.
* Numbers: responder_pct ("33 patients (72%) were pain free", "79 of 100 patients were free of
  pain", "50% continued to report significant pain relief") with responder_threshold_pct
  (">50% relief"); mean_change from "decreased from 7.7 to ... 4.2" (last value of the list
  minus the first) or a within-group change "(cryoneurolysis: -1.9"; scale from VAS / NRS /
  WOMAC words in the abstract.
* time_point_days: when the finding was measured, from its own sentence ("at 12 weeks").
* A protocol, and a technical note without patients, report no outcome (what a protocol
  "will" show is no finding).
"""

from __future__ import annotations

import functools
import re

from pipeline.lexicon.numbers import NUMBER, parse_number
from pipeline.lexicon.patterns import compile_cue

from .direction import clause_direction, has_direction_words, intervention_pattern
from .evidence import FieldResult, evidence_at
from .follow_up import FollowUpRules

# the measures a main efficacy finding is about (not range of motion, diet, bleeding, satisfaction)
EFFICACY_MEASURE = compile_cue(r"\b(?:pain|analges\w*|relie\w*|opioids?|morphine|VAS|NRS|WOMAC|spasticity|efficacy|efficacious|effective\w*|"
                              r"primary|responders?|success\w*|benefit\w*|outcomes?|symptoms?|neuralgia|headaches?)\b", re.I)
# the procedure words of a title, which name the study's intervention
PROCEDURE_WORDS = compile_cue(r"\b(?:[ck]ryo[\w-]*|(?:pulsed\s+)?radiofrequency|P?RFA?|stimulation|PNS|neurolys\w*|neurolytic|"
                             r"ablation|denervation|neurotomy|rhizotomy|injections?|blocks?|blockade)\b", re.I)
COMPARATIVE_STUDY = compile_cue(r"\b(?:control|sham|placebo)\s+(?:group|arm)|\bversus\b|\bvs\.?\s|\bcompared\s+(?:with|to)\b|\brandomi[sz]ed\b|\btwo\s+groups\b|\bgroup\s+[AB12]\b", re.I)
AIM = compile_cue(r"\b(?:aims?|aimed|objectives?|purpose|hypothesi[sz]\w*|was\s+to\s+(?:evaluate|investigate|assess|determine|compare|examine)|to\s+(?:evaluate|investigate|assess|examine|determine)\s+(?:the|whether))\b", re.I)
FUTURE = compile_cue(r"\b(?:are|is|be)\s+(?:still\s+)?(?:needed|required|warranted|necessary)\b|\bshould\s+be\s+performed\b|\bfuture\b"
                    r"|\bwill\s+(?:be|also|then|receive|undergo|inform|assess|compare|evaluate)\b|\b(?:needs?|remains?)\s+to\s+be\b", re.I)
SAFETY = compile_cue(r"\b(?:complications?|adverse|side[\s-]effects?|safe(?:ty|ly)?|infections?|dysesthesia\w*|dysaesthesia\w*|numbness|bruising|neuritis|morbidity|hematoma|pneumothorax|tolerated|nausea|pruritus)\b", re.I)
PRIMARY = compile_cue(r"\bprimary\s+(?:outcome|end[\s-]?point)|\bmain\s+outcome", re.I)
CONCLUDING = compile_cue(r"^(?:we\s+conclude|in\s+conclusion|thus|therefore|overall|these\s+(?:results|findings|data)|our\s+(?:results|findings|data)|this\s+(?:study|work|trial|report)\s+(?:shows|showed|demonstrates|provides|suggests|indicates))", re.I)

RESPONDER = [
    compile_cue(rf"\b(?P<n>{NUMBER})\s+(?:patients\s+|participants\s+)?\(\s*(?P<pct>\d+(?:\.\d+)?)\s*%\s*\)\s+(?:\w+\s+){{0,3}}?(?:were|had|reported|achieved|experienced|obtained|remained)\s+(?!no\b|little\b|not\b)(?:[\w>≥%.-]+\s+){{0,4}}?(?:pain[\s-]free|relief|improvement|free\s+of\s+pain|responders?|\d+\s*%\s+(?:or\s+(?:more|greater)\s+)?(?:pain\s+)?(?:reduction|decrease))", re.I),
    compile_cue(r"\b(?P<pct>\d+(?:\.\d+)?)\s*%\s+(?:of\s+(?:the\s+)?(?:patients|participants|subjects)\s+)?(?:\(\s*[Nn]\s*=\s*\d+\s*\)\s+)?(?:\w+\s+){0,3}?(?:had|reported|achieved|experienced|were|obtained|remained)\s+(?!no\b|not\b)(?:[\w>≥%.-]+\s+){0,4}?(?:pain[\s-]free|relief|improvement|free\s+of\s+pain|responders?|\d+\s*%\s+(?:or\s+(?:more|greater)\s+)?(?:pain\s+)?(?:reduction|decrease))", re.I),
    compile_cue(r"(?:pain[\s-]free|pain\s+relief|improvement)\s*\(\s*(?P<pct>\d+(?:\.\d+)?)\s*%\s*\)", re.I),
]
OF_N_FREE = compile_cue(rf"\bof\s+the\s+(?P<total>{NUMBER})\s+patients,\s+(?P<n>{NUMBER})\s+(?:were|had|reported)\s+(?:\w+\s+){{0,2}}?(?:free\s+of\s+pain|pain[\s-]free|relief)", re.I)
ALL_PATIENTS = compile_cue(r"\ball\s+(?:\w+\s+)?patients\s+(?:had|reported|achieved|experienced|were)\s+(?:\w+\s+){0,4}?(?:pain\s+relief|pain[\s-]free|relief)", re.I)
# A responder definition: "at least 50% pain relief", "> 50% reduction", "pain relief of 50% or
# more", "a 30% or greater decrease in pain", "pain relief of at least 50%".
_AT_LEAST = r"(?:>|≥|>=|at\s+least|more\s+than|greater\s+than|over)\s*(?P<t>\d+(?:\.\d+)?)\s*%"
_OR_MORE = r"(?P<t>\d+(?:\.\d+)?)\s*%\s+or\s+(?:more|greater|higher)"
_CHANGE = r"(?:pain\s+)?(?:relief|reduction|improvement|decrease)"
THRESHOLDS = [compile_cue(rf"{_AT_LEAST}\s*{_CHANGE}", re.I),
              compile_cue(rf"{_OR_MORE}\s+{_CHANGE}", re.I),
              compile_cue(rf"{_CHANGE}\s+(?:in\s+pain\s+)?of\s+{_AT_LEAST}", re.I),
              compile_cue(rf"{_CHANGE}\s+(?:in\s+pain\s+)?of\s+{_OR_MORE}", re.I)]


def responder_threshold(text: str) -> float | None:
    """The relief a patient needed to count as a responder, in percent, if the text defines it."""
    for rx in THRESHOLDS:
        m = rx.search(text)
        if m:
            return float(m.group("t"))
    return None


FROM_TO = compile_cue(r"\b(?:decreas\w*|reduc\w*|improv\w*|declin\w*|fell|dropped|changed|decrease\s+of\s+pain|reduction\s+of\s+pain)\b[^.;]{0,40}?\bfrom\s+(?:a\s+)?(?:mean\s+(?:of\s+)?)?(?P<a>\d+(?:\.\d+)?)", re.I)
LIST_VALUE = compile_cue(r"(?:\bto|,|\band)\s+(?P<v>\d+(?:\.\d+)?)(?=\s*(?:/\s*10\b|\(|\bat\b|,|\band\b|$|\s|\)))", 0)
WITHIN_GROUP = compile_cue(r"\(\s*cryo[\w-]*\s*:\s*(?P<v>[–−-]?\s*\d+(?:\.\d+)?)", re.I)
SCALES = [("womac", compile_cue(r"\bWOMAC\b", 0)), ("nrs", compile_cue(r"\bNRS\b|numeric(?:al)?\s+(?:pain\s+)?rating\s+scale", re.I)),
          ("vas", compile_cue(r"\bVAS\b|visual\s+analog(?:ue)?\s+scale", re.I))]


class OutcomeRules:
    def usable(self, ctx, sentence) -> bool:
        t = sentence.text
        if ctx.search(AIM, t) or ctx.search(FUTURE, t) or t.endswith("?"):
            return False
        if ctx.search(SAFETY, t) and not EFFICACY_MEASURE.search(t):
            return False
        return True

    def choose(self, ctx):
        sents = [s for s in ctx.sentences if s.section != "title"]
        structured = any(s.section in ("results", "conclusions") for s in sents)
        if structured:
            results = [s for s in sents if s.section == "results"]
            conclusions = [s for s in sents if s.section == "conclusions"
                           or (s.section is None and CONCLUDING.search(s.text))]
            rest = [s for s in sents if s.section not in ("background", "results", "conclusions")]
        else:
            body = [s for s in sents if s.source is None]
            conclusions = [s for s in body if CONCLUDING.search(s.text)] + body[-1:]
            results = body
            rest = [s for s in sents if s.source is not None]
        tiers = [("primary", [s for s in sents if s.section != "background" and ctx.search(PRIMARY, s.text)], 0.85),
                 ("conclusion", conclusions, 0.8), ("results", results, 0.7), ("other", rest, 0.55)]
        intervention = intervention_pattern(ctx.title, PROCEDURE_WORDS)
        read: dict = {}      # a sentence can sit in two tiers ("primary" and "results"): read it once

        # asked by few findings: searched once, when first asked
        comparative_study = functools.cache(lambda: bool(COMPARATIVE_STUDY.search(ctx.text)))

        def direction(s):
            if s not in read:    # a sentence without direction words is not read for usability
                read[s] = clause_direction(s.text, intervention, comparative_study) \
                    if has_direction_words(s.text) and self.usable(ctx, s) else None
            return read[s]

        for name, pool, conf in tiers:
            found = []
            for s in pool:
                d = direction(s)
                if d:
                    found.append((s, d[0], d[1]))
            if not found:
                continue
            # a finding about the main efficacy measure beats one about a secondary measure,
            # and a finding that says which arm did better beats "improved in both groups"
            found.sort(key=lambda f: (not EFFICACY_MEASURE.search(f[0].text), f[2] == "improvement_both_arms"))
            s, direction, kind = found[0]
            if kind == "improvement_both_arms":
                direction, conf = "improved", conf - 0.25
            others = {d for t, d, k in found[1:] if EFFICACY_MEASURE.search(t.text) and k != "improvement_both_arms"}
            return s, direction, f"outcome.{name}_{direction}", conf, sorted(others - {direction})
        return None

    def numbers(self, ctx, chosen) -> dict:
        out = {"responder_pct": None, "responder_threshold_pct": None, "mean_change": None, "scale": None}
        sents = [s for s in ctx.sentences if s.section not in ("title", "background")]
        for s in sents:
            text, lower = s.text, s.text.lower()
            # each phrasing needs a literal of its own: skip the regexes when it is absent
            if out["responder_pct"] is None and ("%" in text or "of the" in lower or "all " in lower):
                m = OF_N_FREE.search(text) if "of the" in lower else None
                if m:
                    n, tot = parse_number(m.group("n")), parse_number(m.group("total"))
                    if n and tot:
                        out["responder_pct"] = round(100.0 * n / tot, 1)
                for rx in (RESPONDER if "%" in text else ()):
                    m = m or rx.search(text)
                    if m and "pct" in m.groupdict() and out["responder_pct"] is None:
                        out["responder_pct"] = float(m.group("pct"))
                if out["responder_pct"] is None and "all " in lower and ALL_PATIENTS.search(text):
                    out["responder_pct"] = 100.0
                if out["responder_pct"] is not None:
                    out["responder_threshold_pct"] = responder_threshold(text)
            if out["mean_change"] is None:
                m = FROM_TO.search(text) if "from" in lower else None
                if m:
                    a = float(m.group("a"))
                    tail = text[m.end("a"):]
                    vals = [float(x.group("v")) for x in LIST_VALUE.finditer(re.split(r"\(\s*[pP]\s*[<=>]", tail)[0])]
                    if vals:
                        out["mean_change"] = round(vals[-1] - a, 2)
                elif ":" in text:
                    w = WITHIN_GROUP.search(text)
                    if w:
                        out["mean_change"] = float(re.sub(r"[–−\s]", "-", w.group("v")).replace("--", "-").replace(" ", ""))
        if out["mean_change"] is not None:
            for name, rx in SCALES:
                if rx.search(ctx.text):
                    out["scale"] = name
                    break
        return out

    def __call__(self, ctx, design: str | None, sample_size: int | None) -> FieldResult:
        empty = {"text": None, "responder_pct": None, "responder_threshold_pct": None,
                 "mean_change": None, "scale": None, "direction": None, "time_point_days": None}
        if design == "protocol" or (design == "technical_note" and sample_size is None):
            return FieldResult(empty)
        chosen = self.choose(ctx)
        value = dict(empty)
        result = FieldResult(value)
        if chosen:
            s, direction, rule, conf, disagreeing = chosen
            value["text"] = s.text
            value["direction"] = direction
            result.evidence.append(evidence_at(s, 0, len(s.text), rule, conf))
            if disagreeing:
                result.flags.append(f"findings disagree: {direction} here, {', '.join(disagreeing)} in another "
                                    f"sentence of the same part of the abstract")
        if chosen:
            value.update(self.numbers(ctx, chosen))
            value["time_point_days"] = self.time_point(chosen[0], ctx)
        return result

    @staticmethod
    def time_point(sentence, ctx) -> int | None:
        """When the finding was measured, if its sentence says ("at 12 weeks", "6 months after
        the procedure"): the latest time point the follow-up rules accept in that sentence."""
        points = [days for _, days, _, _ in _TIME_POINTS.candidates(sentence, ctx)]
        return int(round(max(points))) if points else None


_TIME_POINTS = FollowUpRules()


def build_outcome_rules(config: dict | None = None) -> OutcomeRules:
    return OutcomeRules()
