"""sample_size: participants enrolled/included across all arms (intention-to-treat count).

Method (plain functions over the Doc's sentences)
* A count is a number (digits or words: "Eighteen", "Twenty-six", "One hundred") followed by up
  to three modifiers and a participant noun ("patients", "adults", "subjects", "sheep" ...).
  Knees, nerves, neuromas, procedures, sessions and tumours are not participants, so
  "Thirty-one neuromas in 20 patients" gives 20 and "277 nerves ... on 113 patients" gives 113.
* Arms are added up: "Eight male and two female patients", "49 pre-cryo and 40 post-cryo
  patients", "31 patients in the X group and 31 patients in the Y group", and in a randomisation
  sentence without a total "(n = 121) ... (n = 59)".
* "patients (N = 43)" reads the N. "a 15-year-old male", "A single patient" count 1.
* "50 patients were identified; 4 were excluded" counts the 46 included (the subtraction is
  the extractor's, so its confidence sends it to a curator when rules compete).
* Counts that are not the cohort are dropped: excluded, lost to follow-up, withdrew, screened,
  assessed for eligibility, died; historical comparators ("the preceding 15 patients");
  responder subgroups ("33 patients (72%)"); percentages ("Sixty percent of the patients");
  rates ("affects one in five adults").
* "We report two cases of ...", "we describe five consecutive patients" count the patients
  described, so a report of two cases has 2, not the 1 of its "a 60-year-old man".
* The enrolled count is the largest remaining count; enrolment verbs ("were enrolled",
  "A total of", "randomized", "included") raise confidence.
* Reviews and protocols have no sample size (null); a case report without a count is 1.
"""

from __future__ import annotations

import re

from pipeline.lexicon.numbers import NUMBER, parse_number
from pipeline.lexicon.keyscan import KEYS
from pipeline.lexicon.patterns import compile_cue, finditer_at

from .evidence import Evidence, FieldResult, evidence_at

NOUNS = (r"patients|participants|subjects|individuals|adults|children|infants|adolescents|men|women|"
         r"males|females|volunteers|cases|veterans|recipients|persons|people|amputees|athletes|"
         r"sheep|swine|pigs|rats|mice|dogs|rabbits|animals|cadavers|inpatients|outpatients")
_MOD = r"(?:(?!(?:of|the|with|in|to|for|from|had|were|was|and|or|who|per|percent|than|on|at|by|had)\b)[A-Za-z][\w'’-]*\s+)"
COUNT = compile_cue(rf"(?<![\w.,-])(?P<num>{NUMBER})\s+(?P<mods>{_MOD}{{0,3}}?)(?:[\w-]*-)?(?P<noun>{NOUNS})\b(?!\s+of\b)", re.I)
ARMS = compile_cue(rf"(?<![\w.,-])(?P<a>{NUMBER})\s+(?P<ma>[\w'’-]+(?:\s[\w'’-]+)?)\s+(?:and|,)\s+(?P<b>{NUMBER})\s+(?:[\w'’-]+\s+){{1,2}}?(?P<noun>patients|participants|subjects|adults|children)\b", re.I)
# a cohort split by sex or age: "21 women and 9 men", "Twelve boys and 8 girls"
_PARTS = r"(?:men|women|males|females|boys|girls|children|adults|adolescents)"
PARTS_SUM = compile_cue(rf"(?<![\w.,-])(?P<a>{NUMBER})\s+(?:[\w-]+\s+)?{_PARTS}\s+(?:and|,)\s+(?P<b>{NUMBER})\s+(?:[\w-]+\s+)?{_PARTS}\b", re.I)
BARE_ENROLLED = compile_cue(rf"(?<![\w.,-])(?P<num>{NUMBER})\s+(?:were|had\s+been)\s+(?:subsequently\s+|finally\s+|eventually\s+)?(?:enrolled|included|randomi[sz]ed|recruited|analy[sz]ed)\b", re.I)
ARM_WORDS = r"(?:sham|control|placebo|active|usual\s+care|standard[\w-]*|treatment|intervention|cryo[\w-]*|epidural|block)"
ARMS_NAMED = compile_cue(rf"(?<![\w.,-])(?P<a>{NUMBER})\s+(?:patients\s+|participants\s+)?(?:received\s+|to\s+|in\s+the\s+)?(?P<x>{ARM_WORDS})(?:\s+group)?\s*(?:,\s*|\s+and\s+|\s+vs\.?\s+|\s+versus\s+)(?P<b>{NUMBER})\s+(?:patients\s+|participants\s+)?(?:received\s+|to\s+|in\s+the\s+)?(?P<y>{ARM_WORDS})\b", re.I)
N_AFTER = compile_cue(r"\b(?:patients|participants|subjects|cases|adults|children)\b[^()]{0,25}\(\s*[Nn]\s*=\s*(?P<num>\d+)\s*\)", 0)
N_EQUALS = compile_cue(r"\(\s*[Nn]\s*=\s*(?P<num>\d+)\s*[),;]", 0)
SINGLE = compile_cue(r"\b(?:an?\s+(?:single|\d+[\s-]year[\s-]old|(?:[\w-]+\s+){0,2}?(?:old|young)\s+)\s*(?:man|woman|male|female|boy|girl|patient|gentleman|lady)|a\s+single\s+(?:patient|case|subject))\b", re.I)
RANDOMISATION = compile_cue(r"randomi[sz]|allocated|assigned|group|arm\b", re.I)
ENROLLED = compile_cue(r"\b(?:a total of|in total|total(?:ly)?|were (?:enrolled|included|recruited|randomi[sz]ed|treated|studied|analy[sz]ed|evaluated)|enrolled|included|recruited|randomi[sz]ed|underwent|received|participated|comprised|contained|consisted|cohort|were treated|was performed|were performed|on|in)\b", re.I)
NOT_COHORT_AFTER = compile_cue(r"^[^.;]{0,40}?\b(?:were|was|had been|being)?\s*(?:excluded|lost to follow[\s-]?up|withdr[ae]w\w*|dropped out|declined|refused|screened|assessed for eligibility|died|deceased|ineligible|did not (?:complete|meet))", re.I)
NOT_COHORT_BEFORE = compile_cue(r"(?:preceding|previous|historical|historic|compared (?:to|with)|than|control cohort of|excluded|of whom)\s+(?:the\s+)?$"
                               rf"|\b(?:{NUMBER})\s+(?:in|out\s+of)\s+(?:every\s+)?$", re.I)   # a rate: "one in five adults"
# "We report two cases of ...", "we describe five consecutive patients": the patients described
REPORTED = compile_cue(rf"\b(?:report|describe|present)\w*\s+(?:here\s+)?(?:on\s+)?(?:the\s+)?(?P<num>{NUMBER})\s+(?:[a-z][\w-]*\s+){{0,2}}?(?:cases|patients)\b", re.I)
PERCENT_AFTER = compile_cue(r"^\s*(?:\(\s*\d+(?:\.\d+)?\s*%|\s*%|\s*percent)", 0)
PERCENT_NUM = compile_cue(r"^\s*(?:%|percent)", re.I)
# "50 patients were identified; 4 were excluded for missing data": the study included 46
IDENTIFIED_AFTER = compile_cue(r"^\s*(?:were|was)\s+(?:initially\s+)?(?:identified|found|retrieved)\b", re.I)
EXCLUDED = compile_cue(rf"(?<![\w.,-])(?P<num>{NUMBER})\s+(?:(?:patients|participants|subjects|cases)\s+)?(?:were|was)\s+(?:subsequently\s+|further\s+)?excluded\b", re.I)
BACKGROUND_WORDS = compile_cue(r"\b(?:annually|each year|per year|worldwide|prevalence|incidence)\b", re.I)


_KEYS = KEYS.keyset(("patient", "participant", "subject", "individual", "adult", "child", "infant", "adolesc", "men",
         "male", "volunteer", "case", "veteran", "recipient", "person", "people", "amputee", "athlete",
         "sheep", "swine", "pig", "rat", "mice", "dog", "rabbit", "animal", "cadaver", "single",
         "year-old", "year old", "n =", "n=", "man", "woman", "boy", "girl", "lady"))


_ARM_KEYS = KEYS.keyset(("sham", "control", "placebo", "active", "usual", "standard", "treatment", "intervention",
             "cryo", "epidural", "block"))


# small patterns of the rules below, compiled once
_YEARS_OLD_AFTER = re.compile(r"^\s*(?:years?|yrs?|months?)[\s-]+old", re.I)
_IN_GROUP_AFTER = re.compile(r"^\s*(?:in|on|to|received|receiving)\s+(?:the\s+)?[^,;.]{0,40}?\b(?:group|arm|cohort)", re.I)
_REPORTED_BEFORE = re.compile(r"(?:report|describe|present)\w*\s+$", re.I)


class Candidate:
    __slots__ = ("value", "evidence", "strong")

    def __init__(self, value: int, evidence: Evidence, strong: bool):
        self.value, self.evidence, self.strong = value, evidence, strong


def _is_year_or_age(sentence_text: str, end: int) -> bool:
    return bool(_YEARS_OLD_AFTER.match(sentence_text[end:]))


class SampleSizeRules:
    def candidates(self, sentence, ctx) -> list[Candidate]:
        text = sentence.text
        out: list[Candidate] = []
        lower = text.lower()
        if sentence.section == "title" or not KEYS.holds(lower, _KEYS) or ctx.search(BACKGROUND_WORDS, text):
            return out
        spans = []
        starts = ctx.number_starts(sentence)   # the count patterns open with a number: tried only there
        for m in (finditer_at(ARMS, text, starts) if (" and " in text or "," in text) else ()):
            a, b = parse_number(m.group("a")), parse_number(m.group("b"))
            if a is None or b is None or PERCENT_NUM.match(text[m.end("a"):]):
                continue
            if NOT_COHORT_AFTER.match(text[m.end():]):
                continue
            out.append(Candidate(int(a + b), evidence_at(sentence, m.start(), m.end(), "sample_size.arms_sum", 0.85), True))
            spans.append((m.start(), m.end()))
        for m in finditer_at(PARTS_SUM, text, starts):
            a, b = parse_number(m.group("a")), parse_number(m.group("b"))
            if a and b and not NOT_COHORT_AFTER.match(text[m.end():]) and not any(s <= m.start() < e for s, e in spans):
                out.append(Candidate(int(a + b), evidence_at(sentence, m.start(), m.end(), "sample_size.parts_sum", 0.85), True))
                spans.append((m.start(), m.end()))
        for m in (finditer_at(ARMS_NAMED, text, starts) if KEYS.holds(lower, _ARM_KEYS) else ()):
            a, b = parse_number(m.group("a")), parse_number(m.group("b"))
            if a and b and not NOT_COHORT_AFTER.match(text[m.end():]):
                out.append(Candidate(int(a + b), evidence_at(sentence, m.start(), m.end(), "sample_size.named_arms_sum", 0.85), True))
                spans.append((m.start(), m.end()))
        counts = []
        for m in finditer_at(COUNT, text, starts):
            if any(s <= m.start() < e for s, e in spans):
                continue
            value = parse_number(m.group("num"))
            if value is None or value != int(value) or value <= 0:
                continue
            after, before = text[m.end():], text[: m.start()]
            if PERCENT_AFTER.match(after) or NOT_COHORT_AFTER.match(after) or NOT_COHORT_BEFORE.search(before):
                continue
            if m.group("noun").lower() in ("case", "cases") and not _REPORTED_BEFORE.search(before):
                continue
            strong = bool(ENROLLED.search(text[max(0, m.start() - 25): m.start()]) or ENROLLED.search(after[:40]))
            conf = 0.9 if strong else 0.75
            if IDENTIFIED_AFTER.match(after):
                excluded = [parse_number(x.group("num")) for x in EXCLUDED.finditer(after)]
                excluded = [int(x) for x in excluded if x and x == int(x)]
                if excluded and sum(excluded) < value:
                    x = list(EXCLUDED.finditer(after))[-1]
                    out.append(Candidate(int(value) - sum(excluded), evidence_at(
                        sentence, m.start(), m.end() + x.end(), "sample_size.identified_minus_excluded", 0.7), True))
                    continue
            counts.append((m, int(value)))
            out.append(Candidate(int(value), evidence_at(sentence, m.start(), m.end(), "sample_size.count", conf), strong))
        # "31 patients in the cryotherapy group and 31 patients in the control group"
        grouped = [(m, v) for m, v in counts if _IN_GROUP_AFTER.match(text[m.end():])]
        if len(grouped) >= 2:
            s, e = grouped[0][0].start(), grouped[-1][0].end()
            out.append(Candidate(sum(v for _, v in grouped), evidence_at(sentence, s, e, "sample_size.group_sum", 0.85), True))
        for m in (finditer_at(BARE_ENROLLED, text, starts) if any(map(lower.__contains__, (" were ", " had been "))) else ()):
            value = parse_number(m.group("num"))
            if value and value == int(value) and not PERCENT_NUM.match(text[m.end("num"):]):
                out.append(Candidate(int(value), evidence_at(sentence, m.start(), m.end(), "sample_size.enrolled_count", 0.85), True))
        for m in (REPORTED.finditer(text) if ("report" in lower or "describ" in lower or "present" in lower) else ()):
            value = parse_number(m.group("num"))
            if value and value == int(value) and not any(s <= m.start("num") < e for s, e in spans):
                out.append(Candidate(int(value), evidence_at(sentence, m.start(), m.end(), "sample_size.reported_cases", 0.85), True))
        for m in (N_AFTER.finditer(text) if "=" in text else ()):
            out.append(Candidate(int(m.group("num")), evidence_at(sentence, m.start(), m.end(), "sample_size.n_equals", 0.8), True))
        if not counts and ctx.search(RANDOMISATION, text):
            ns = [(m, int(m.group("num"))) for m in N_EQUALS.finditer(text)]
            if len(ns) >= 2:
                s, e = ns[0][0].start(), ns[-1][0].end()
                out.append(Candidate(sum(v for _, v in ns), evidence_at(sentence, s, e, "sample_size.arm_n_sum", 0.65), False))
        for m in (SINGLE.finditer(text) if any(map(lower.__contains__, ("single", "old", "young"))) else ()):
            out.append(Candidate(1, evidence_at(sentence, m.start(), m.end(), "sample_size.single_patient", 0.8), False))
        return out

    def raw(self, ctx) -> FieldResult:
        """The best count before the design is known (the design fallback uses it)."""
        result = FieldResult()
        cands = [c for s in ctx.sentences for c in self.candidates(s, ctx)]
        if not cands:
            return result
        many = [c for c in cands if c.value > 1]
        pool = many or cands
        best = max(pool, key=lambda c: (c.value, c.evidence.confidence))
        result.value = best.value
        result.evidence = [best.evidence]
        strong_values = {c.value for c in pool if c.strong}
        if best.value not in strong_values and strong_values:
            alt = max(strong_values)
            result.flags.append(f"rules disagree: largest count {best.value}, enrolment count {alt}")
        return result

    def __call__(self, ctx, design: str | None) -> FieldResult:
        raw = ctx.results["sample_size_raw"]
        if design in ("systematic_review", "narrative_review", "protocol"):
            return FieldResult()
        if design == "case_report":
            if raw.value is not None and raw.value <= 2:
                return raw
            design_ev = ctx.results["design"].evidence
            if design_ev:
                e = design_ev[0]
                return FieldResult(1, [Evidence(e.text, e.start, e.end, "sample_size.case_report", 0.55, e.section)])
            return FieldResult()
        return raw


def build_sample_size_rules(config: dict | None = None) -> SampleSizeRules:
    return SampleSizeRules()
