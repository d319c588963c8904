"""follow_up: the longest follow-up reported, normalised to days (day 1, week 7, month 30,
year 365, hour 1/24), with the span it came from.

Method (regular expressions over each sentence, then a choice)
* A duration is a number or number word, a range ("2-18 months", "6 to 12 months": the maximum
  is kept), a list ("1, 6, and 12 months", "2 and 4 weeks": the maximum), a hyphenated
  adjective ("6-month", "48-hour"), or an ordinal ("the sixth month", "day 140").
* Explicit follow-up statements are tier 1: "follow-up was 1 year", "mean follow-up of 51 days"
  (the mean is kept), "followed for 15 months", "at 6-month follow-up", "3-mo follow-up".
* Assessment time points are tier 2: "at 12 weeks", "8 weeks after the procedure", "14 days
  postoperatively", "up to 18 months", "for a total of 6 months", "by day 140", "over a
  48-hour period" when something was assessed, "30-day readmission".
* A range after a follow-up statement is follow-up too, and keeps its maximum: "median
  follow-up 9 months (range 2-18 months)" gives 18 months.
* Not follow-up: how long the condition has lasted, an inclusion criterion ("pain of at least 6
  months' duration", "a 2-year history", "symptoms for more than 3 months", "at least 6 months
  after stroke": follow-up is timed from the intervention, not from the onset of disease); ages ("15-year-old", "years of age"), recruitment windows ("over a 44-month
  period ... were treated", "between days 8 and 15"), durations of an effect ("pain free
  months", "numbness which continued for 3 months", "lasting up to 8 weeks"), frequencies
  ("every 3-4 months"), treatment timing ("within two weeks of surgery"), actuarial rates
  ("3-year survival"), minutes and seconds.
* A time point timed from the treatment ("one year after treatment", "6 months post-procedure")
  is follow-up the study reports even when an explicit statement names a shorter one; it
  competes with tier 1 and, when it wins, the value is flagged (the statements disagree).
* A follow-up statement's unitless range shares its unit: "median follow-up 15.4 months
  (3.5-43.4)" gives 43.4 months.
* The value is the maximum of tier 1 and the time points after treatment if any, else of tier
  2; near-equal maxima (12 months vs 1 year) keep the first mentioned. Reviews and protocols report no follow-up of their own.
"""

from __future__ import annotations

import re

from pipeline.lexicon.durations import DAY_N, DURATION, NUMBER_IN, ORDINAL_DURATION, unit_days
from pipeline.lexicon.numbers import parse_number
from pipeline.lexicon.keyscan import KEYS
from pipeline.lexicon.patterns import compile_cue, finditer_at

from .evidence import FieldResult, evidence_at

TIER1_BEFORE = compile_cue(r"(?:follow(?:ed)?[\s-]*(?:‐\s*)?up|followed)\s*(?:time|period|duration|interval)?\s*(?:was|were|of|lasted|ranged from|range|:|=|averaged|\(|was\s+(?:a\s+)?(?:mean|median)\s+(?:of\s+)?)?\s*(?:a\s+|an\s+)?(?:mean|median|average|minimum|maximum|at least)?\s*(?:of\s+|was\s+)?(?:up\s+to\s+)?$|followed\s+(?:up\s+)?(?:for|during|over)\s+(?:a\s+)?(?:mean\s+(?:of\s+)?|median\s+(?:of\s+)?|period\s+of\s+)?$", re.I)
TIER1_AFTER = compile_cue(r"^\s*(?:of\s+)?(?:post[\s-]?\w+\s+)?follow[\s-]*(?:‐\s*)?up\b|^\s*period\s+following\b", re.I)
TIER2_BEFORE = compile_cue(r"(?:\bat|\bafter|\bup to|\buntil|\bthrough|\bby|\bwithin|\bover|\bfor|\bduring|\bto)\s+(?:a\s+|an\s+|the\s+|least\s+|last\s+)?(?:total\s+of\s+|period\s+of\s+|least\s+)?(?:the\s+)?(?:first\s+)?$|(?:days?|weeks?|months?)\s+$", re.I)
TIER2_AFTER = compile_cue(r"^\s*(?:\([^)]*\)\s*)?(?:after|following|post|postoperative(?:ly)?|post-?\w+|postop\w*|later|from|re-?admission|readmission|mortality|visit|period|follow|assessment|evaluation)", re.I)
ASSESS = compile_cue(r"assess|measur|evaluat|monitor|record|scor|follow|collect|visit|examin|reported|surve|question|interview|complet|review|endpoint|outcome|test|histolog|euthan|sacrific", re.I)
EXCLUDE_AFTER = compile_cue(r"^\s*(?:[\s-]*(?:years?|yrs?)?[\s-]*(?:old|of age)|(?:of\s+)?(?:pain[\s-]free|survival|overall|local|progression|disease[\s-]free|blanking|recurrence[\s-]free|event[\s-]free|\w+[\s-]free\s+(?:survival|interval))|of\s+(?:their|the)\s+(?:scheduled|planned)|before|prior)", re.I)
EXCLUDE_BEFORE = compile_cue(r"(?:\bevery|\beach|\bper|\baged?|\bage\s+of|\bbetween|\bonce\s+a|\bwithin\s+the\s+(?:first|past)|\bduration\s+of\s+(?:pain|symptoms|disease)|\bhistory\s+of|\bspanning|\bsince|\blasting|\blasted|\bcontinued\s+for|\bpersisted\s+for|\bremained\s+for|\bpersisting|\bfor\s+at\s+least|\babsent\s+for|\bfree\s+for|\bmedian\s+age|\bmean\s+age|\brange)\b[^.;]{0,12}$", re.I)
RECRUITMENT = compile_cue(r"\b(?:were|was)\s+(?:treated|enrolled|recruited|included|performed|operated|identified|reviewed)|\btreated\s+by\b|\bbetween\s+\w+\s+\d{4}|\bfrom\s+\d{4}\s+(?:to|until)", re.I)
# how long the condition has lasted, an inclusion criterion, never follow-up: "pain of at least 6
# months' duration", "a 2-year history of", "symptoms for more than 3 months", "at least 6 months
# after stroke" (follow-up is timed from the intervention, not from the onset of the disease)
_MINIMUM = r"(?:at\s+least|more\s+than|longer\s+than|greater\s+than|a\s+minimum\s+of|>|≥)"
_CONDITION = r"(?:pain|symptoms?|spasticity|neuralgia|headaches?|complaints?|disease|condition|neuropathy|dysfunction)"
CONDITION_AFTER = compile_cue(r"^(?:['’]s?)?\s*(?:duration|history|of\s+(?:symptoms|pain)\b)"
                             r"|^\s*(?:or\s+(?:more|longer)\s+)?(?:after|since|following|from)\s+(?:the\s+|their\s+|an?\s+)?(?:[\w-]+\s+){0,2}?"
                             r"(?:onset|injury|stroke|diagnosis|amputation|trauma|insult|infarct\w*|accident|symptom\w*)\b", re.I)
CONDITION_BEFORE = compile_cue(rf"\b{_CONDITION}\s+(?:for|of|lasting|persisting)\s+(?:(?:{_MINIMUM}|over)\s*)?$|\b{_CONDITION}\b[^.;]{{0,40}}(?<![\w>≥]){_MINIMUM}\s*$", re.I)
# "median follow-up 9 months (range 2-18 months)": the range's maximum is the longest follow-up
FOLLOW_UP_RANGE = compile_cue(r"follow[\s-]*(?:‐\s*)?up\b[^.;()]{0,60}\(\s*(?:range|ranging)\s*(?:from\s+)?[:,]?\s*$", re.I)
UNITLESS_RANGE = compile_cue(r"^\s*\(\s*(?:range\s*[:,]?\s*)?\d+(?:\.\d+)?\s*(?:-|–|to)\s*(?P<hi>\d+(?:\.\d+)?)\s*\)", 0)
FROM_TREATMENT = compile_cue(r"^\s*(?:after|following|post)[\s-]*(?:the\s+|their\s+)?(?:treatment|procedure|intervention|injection|ablation|"
                            r"cryo\w*|neurolysis|surgery|operation|denervation|lesioning|therapy|block|implantation)\b", re.I)


# a duration names its unit with one of these
_UNIT_KEYS = KEYS.keyset(("hour", "hr", "day", "d ", "week", "wk", "month", "mo", "year", "yr", "y "))

# small patterns of the rules below, compiled once
_BETWEEN_BEFORE = re.compile(r"\bbetween\s+$", re.I)
_SPAN_BEFORE = re.compile(r"\bover\s+(?:a|the)?\s*(?:period\s+of\s+)?$|\bduring\s+(?:a|the)?\s*$|\bfor\s+(?:a\s+)?$", re.I)
_PERIOD_AFTER = re.compile(r"^\s*period\b", re.I)
_WITHIN_BEFORE = re.compile(r"\bwithin\s+$", re.I)
_OF_AFTER = re.compile(r"^\s*of\b")
_AFTER_TREATMENT = re.compile(r"^\s*(?:after|following|post)", re.I)
_TIME_POINT_BEFORE = re.compile(r"(?:at|by|on|until|to|through|from|up to)\s+(?:post-?operative\s+)?$", re.I)
_SPACE_OR_HYPHEN = re.compile(r"[\s-]")
_FOLLOW_OR_POST_AFTER = re.compile(r"^\s*(?:follow|post|after)", re.I)
_IN_BEFORE = re.compile(r"\bin\s+$")
_UNTIL_BEFORE = re.compile(r"(?:up to|until|at|by|through)\s+(?:the\s+)?$", re.I)
_DIGITS = re.compile(r"\d+")


class FollowUpRules:
    def candidates(self, sentence, ctx):
        """(tier, days, start, end) for each duration of the sentence that may be follow-up;
        `ctx` (the record's Context) shares the number offsets it has found and the cues the
        record lacks, and keeps the answer: the outcome rules ask again for their finding's
        sentence."""
        key = ("follow_up.candidates", sentence)
        found = ctx.cache.get(key)
        if found is None:
            found = ctx.cache[key] = self._candidates(sentence, ctx)
        return found

    def _candidates(self, sentence, ctx):
        text = sentence.text
        out = []   # (tier, days, start, end)
        lower = text.lower()
        if not KEYS.holds(lower, _UNIT_KEYS):
            return out
        starts = ctx.number_starts(sentence)
        for m in finditer_at(DURATION, text, starts):   # a duration opens with a number
            unit = m.group("unit")
            if unit.lower() in ("h", "d", "y") and not _SPACE_OR_HYPHEN.match(text[m.end("nums"):m.start("unit")] or " "):
                pass
            values = [parse_number(x.group(0)) for x in NUMBER_IN.finditer(m.group("nums"))]
            values = [v for v in values if v is not None]
            if not values:
                continue
            days = max(values) * unit_days(unit)
            before, after = text[: m.start()], text[m.end():]
            if CONDITION_AFTER.match(after) or CONDITION_BEFORE.search(before[-80:]):
                continue
            if FOLLOW_UP_RANGE.search(before[-90:]):
                out.append((1, days, m.start(), m.end()))
                continue
            if EXCLUDE_AFTER.match(after) or EXCLUDE_BEFORE.search(before):
                continue
            if unit.lower() in ("h", "d", "y") and not _FOLLOW_OR_POST_AFTER.match(after):
                continue   # bare single-letter units only in "3 d follow-up"-like phrases
            if TIER1_BEFORE.search(before[-80:]) or TIER1_AFTER.match(after):
                out.append((1, days, m.start(), m.end()))
                r = UNITLESS_RANGE.match(after)
                if r:     # "median follow-up 15.4 months (3.5-43.4)": the range shares the unit
                    out.append((1, float(r.group("hi")) * unit_days(unit), m.end() + r.start("hi"), m.end() + r.end("hi")))
                continue
            tier2 = TIER2_BEFORE.search(before[-40:]) or TIER2_AFTER.match(after) \
                or (_IN_BEFORE.search(before[-5:]) and ASSESS.search(text) and not RECRUITMENT.search(text))
            if not tier2:
                continue
            if _SPAN_BEFORE.search(before[-30:]) or _PERIOD_AFTER.match(after):
                if RECRUITMENT.search(text) or not ASSESS.search(text):
                    continue
            if _WITHIN_BEFORE.search(before[-10:]) and _OF_AFTER.match(after):
                continue
            # a time point timed from the treatment ("one year after treatment") is follow-up the
            # study reports, whatever an explicit follow-up statement says
            out.append((1.5 if FROM_TREATMENT.match(after) else 2, days, m.start(), m.end()))
        for m in ctx.finditer(ORDINAL_DURATION, text):
            n = parse_number(m.group("ord"))
            if n and _UNTIL_BEFORE.search(text[: m.start()] + " ") or _AFTER_TREATMENT.match(text[m.end():]):
                tier = 1.5 if FROM_TREATMENT.match(text[m.end():]) else 2
                out.append((tier, n * unit_days(m.group("unit")), m.start(), m.end()))
        for m in ctx.finditer(DAY_N, text):
            nums = [int(x) for x in _DIGITS.findall(m.group("nums"))]
            before = text[: m.start()]
            if _BETWEEN_BEFORE.search(before[-10:]):
                continue
            if _TIME_POINT_BEFORE.search(before[-20:]) or "post" in m.group(0).lower():
                out.append((2, max(nums) * unit_days(m.group("unit")), m.start(), m.end()))
        return out

    def __call__(self, ctx, design: str | None) -> FieldResult:
        result = FieldResult()
        if design in ("systematic_review", "narrative_review", "protocol"):
            return result
        found = []
        for sentence in ctx.sentences:
            if sentence.section == "title":
                continue
            for tier, days, s, e in self.candidates(sentence, ctx):
                found.append((tier, days, sentence, s, e))
        if not found:
            return result
        best_tier = min(f[0] for f in found)
        pool = [f for f in found if f[0] <= 1.5] if best_tier == 1 else found
        top = max(f[1] for f in pool)
        near = [f for f in pool if top - f[1] <= 0.02 * top]
        tier, days, sentence, s, e = near[0]
        stated = [f[1] for f in pool if f[0] == 1]
        if tier == 1.5 and stated:
            result.flags.append(f"rules disagree: follow-up stated as {int(round(max(stated)))} days, "
                                f"an assessment {int(round(days))} days after treatment")
        result.value = int(round(days))
        if result.value <= 0:
            return FieldResult()
        conf = {1: 0.9, 1.5: 0.8}.get(tier, 0.75)
        rule = {1: "follow_up.stated", 1.5: "follow_up.after_treatment"}.get(tier, "follow_up.time_point")
        result.evidence = [evidence_at(sentence, s, e, rule, conf)]
        if result.value > 20 * 365:
            result.flags.append("follow-up over 20 years")
        return result


def build_follow_up_rules(config: dict | None = None) -> FollowUpRules:
    return FollowUpRules()
