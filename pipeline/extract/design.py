"""design: what the study *is* (EXTRACTION_SPEC.md enum), not what it cites.

Method
1. Cue regexes per design (`pipeline/lexicon/vocab/design_cues.json`) are matched sentence by sentence. A cue in
   a sentence about research still needed ("randomized trials are needed", "we included
   randomized trials") does not describe this study and is skipped.
2. Cues are pooled separately for the title and for the body (the methods are more specific than
   the title), and PubMed publication types are a third, weaker signal.
3. A precedence decides within a pool: animal/cadaver-only -> other; protocol; systematic review;
   narrative review; technical note; case report (a "report of N cases" with N >= 3 is a case
   series); randomised -> rct; non-randomised trial; retrospective; prospective / single-arm /
   pilot -> prospective_observational; case series.
4. The body wins over the title, the title over publication types. When they name designs of
   different families (e.g. "randomized" in the title, "retrospective" in the methods), the
   value carries a flag. Two incompatible designs in the body (rct and retrospective,
   prospective and retrospective) are flagged too.
5. No cue at all: a design word typed with one slip ("randomzied") still counts; else a single
   patient -> case_report, three or more -> case_series, and no patients with a title that
   presents a technique -> technical_note, each with a low confidence so the guess is flagged
   for a curator. A review cue in a sentence saying the paper "also" reviews is a part of a
   primary report, not its design.
"""

from __future__ import annotations

import re

from pipeline.lexicon.designs import PRECEDENCE, design_cues
from pipeline.lexicon.numbers import NUMBER, parse_number
from pipeline.lexicon.patterns import compile_cue
from pipeline.lexicon.vocabulary import load_vocab

from .evidence import Evidence, FieldResult, evidence_at
from .relevance import has_human_subjects

FAMILY = {"systematic_review": "review", "narrative_review": "review", "protocol": "protocol",
          "technical_note": "note", "case_report": "case", "rct": "trial",
          "nonrandomized_trial": "trial", "retrospective_observational": "observational",
          "prospective_observational": "observational", "case_series": "observational",
          "other": "other"}
# pairs that cannot both describe one study (the first is what precedence picks)
INCOMPATIBLE = {("rct", "retrospective_observational"), ("retrospective_observational", "prospective_observational"),
                ("case_report", "rct")}
# designs that refine another, so title X + body Y is no contradiction
REFINES = {("narrative_review", "systematic_review"), ("case_series", "retrospective_observational"),
           ("case_series", "prospective_observational"), ("prospective_observational", "rct"),
           ("prospective_observational", "nonrandomized_trial"), ("prospective_observational", "case_series"),
           ("case_series", "technical_note"), ("case_report", "technical_note"),
           ("case_report", "case_series")}   # PubMed indexes small series as "Case Reports"
_REVIEWS = {"systematic_review", "narrative_review"}
SKIP_AFTER = {"rct": _REVIEWS, "nonrandomized_trial": _REVIEWS | {"rct"},
              "retrospective_observational": _REVIEWS, "prospective_observational": _REVIEWS | {"rct"},
              "case_series": _REVIEWS | {"rct", "retrospective_observational", "prospective_observational"}}
_REPORT_N_CASES = compile_cue(rf"\b(?:report|describe|present)\w*\s+(?:here\s+)?(?:on\s+)?(?:the\s+)?(?P<n>{NUMBER})\s+(?:(?:consecutive|further|additional|adult|paediatric|pediatric|similar|new)\s+){{0,2}}(?:cases|patients)\b", re.I)
# a review that names itself narrative is one, even when it reports how it searched databases
_SELF_NARRATIVE = compile_cue(r"\bnarrative\s+review", re.I)
_NAMED_SYSTEMATIC = compile_cue(r"systematic|meta[\s-]?analy|scoping|umbrella|PRISMA|PROSPERO", re.I)
_OWN_STUDY = compile_cue(r"\b(?:this|we|our|present|current|here)\b", re.I)
_TITLE_REVIEW = compile_cue(r"\breview\b", re.I)
_ALSO = compile_cue(r"\balso\b", re.I)
_TITLE_TECHNIQUE = compile_cue(r"\b(?:technique|approach|method)\b", re.I)
# design words as typed, for a tolerant second look when no cue matched ("randomzied", "retrospecitve")
_DESIGN_WORDS = {"randomized": "rct", "randomised": "rct", "randomly": "rct", "retrospective": "retrospective_observational",
                 "retrospectively": "retrospective_observational", "prospective": "prospective_observational",
                 "prospectively": "prospective_observational", "systematic": "systematic_review"}
_LONG_WORD = compile_cue(r"\b[A-Za-z]{8,}\b", 0)
# the design words a word of each length can be one edit away from (lengths differ by one at most)
_WORDS_BY_LENGTH = {n: [(w, d) for w, d in _DESIGN_WORDS.items() if abs(len(w) - n) <= 1]
                    for n in range(1 + max(map(len, _DESIGN_WORDS)) + 1)}


def _within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion, substitution or adjacent swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:] or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1])
    return (a[i + 1:] == b[i:]) if len(a) > len(b) else (a[i:] == b[i + 1:])


def _group_index(m: re.Match) -> int:
    """Index of the alternative that matched: cue patterns use only non-capturing groups, so
    capture group i+1 wraps alternative i."""
    return (m.lastindex or 1) - 1


class DesignRules:
    def __init__(self, vocab: dict, relevance_vocab: dict):
        # one alternation per design; the capture group that matched gives the cue's weight
        # a cue is [pattern, weight] or [pattern, weight, name]: a named cue (an implied design)
        # is its own rule, so calibration and curators can tell it from the design's own words
        self.cue_res = design_cues(vocab)
        self.future = compile_cue(vocab["future"], re.I)
        self.not_review = compile_cue(vocab["not_a_review"], re.I)
        self.humans = compile_cue(vocab["humans"], re.I)
        self.use_only = compile_cue(relevance_vocab["human_use_only"], re.I)
        self.pubtypes = vocab["publication_types"]
        self.keys = vocab.get("keys", {})

    def cues(self, ctx) -> list[tuple[str, Evidence, object]]:
        """(design, evidence, sentence) for every cue; each design's alternation is searched
        once over the whole text, then judged in its sentence."""
        found = []
        got: set[str] = set()
        for design, rx, weights in self.cue_res:
            # a review's or an rct's own cues decide; weaker primary designs need not be searched
            if design in SKIP_AFTER and got & SKIP_AFTER[design]:
                continue
            if not ctx.has_any(self.keys.get(design, [])):
                continue
            seen = set()
            for sentence, m in ctx.find(rx):
                if sentence in seen:
                    continue
                text = sentence.text
                if sentence.section == "background" and not _OWN_STUDY.search(text):
                    continue      # background cites other work ("systematic reviews show ...")
                if design not in ("systematic_review", "narrative_review", "other") and self.future.search(text):
                    continue
                s, e = m.start() - sentence.start, m.end() - sentence.start
                if design == "narrative_review" and self.not_review.search(text[max(0, s - 15): e]):
                    continue
                if design in _REVIEWS and _ALSO.search(text):
                    continue      # "a narrative review ... is also provided": a part, not what the paper is
                seen.add(sentence)
                got.add(design)
                weight, rule = weights[_group_index(m)]
                found.append((design, evidence_at(sentence, s, e, rule, weight), sentence))
        for sentence, m in ctx.find(_REPORT_N_CASES):
            n = parse_number(m.group("n")) or 0
            design = "case_report" if n <= 2 else "case_series"
            s, e = m.start() - sentence.start, m.end() - sentence.start
            found.append((design, evidence_at(sentence, s, e, f"design.report_{'few' if n <= 2 else 'several'}_cases", 0.9), sentence))
        for sentence in ctx.main_sentences:
            if sentence.section != "title":
                break
            for m in _TITLE_REVIEW.finditer(sentence.text):
                if not self.not_review.search(sentence.text[max(0, m.start() - 15): m.end()]):
                    found.append(("narrative_review", evidence_at(sentence, m.start(), m.end(), "design.review_in_title", 0.75), sentence))
                    break
        return found

    @staticmethod
    def pick(found: list[tuple[str, Evidence]]) -> tuple[str | None, list[Evidence]]:
        designs = {d for d, _ in found}
        # a report of >= 3 cases is a series even if a "case report" cue fired
        if "case_report" in designs and any(e.rule == "design.report_several_cases" for _, e in found):
            designs.discard("case_report")
        for d in PRECEDENCE:
            if d in designs:
                return d, [e for dd, e in found if dd == d]
        return None, []

    def __call__(self, ctx) -> FieldResult:
        result = FieldResult()
        title, body = [], []
        for design, ev, sentence in self.cues(ctx):
            (title if sentence.section == "title" else body).append((design, ev))
        animal = [x for x in title + body if x[0] == "other"]
        if animal and not has_human_subjects(ctx, self.humans, self.use_only):
            result.value = "other"
            result.evidence = [animal[0][1]]
            return result
        title = [x for x in title if x[0] != "other"]
        body = [x for x in body if x[0] != "other"]
        t_design, t_ev = self.pick(title)
        b_design, b_ev = self.pick(body)
        if b_design == "systematic_review" or (not b_design and t_design == "systematic_review"):
            narrative = [(d, e) for d, e in title + body if d == "narrative_review" and _SELF_NARRATIVE.search(e.text)]
            named = [e for d, e in title + body if d == "systematic_review" and _NAMED_SYSTEMATIC.search(e.text)]
            if narrative and not named:   # search cues only: the authors' own label decides
                title = [x for x in title if x[0] != "systematic_review"]
                body = [x for x in body if x[0] != "systematic_review"]
                t_design, t_ev = self.pick(title)
                b_design, b_ev = self.pick(body)
        p_design = next((self.pubtypes[p] for p in ctx.publication_types if p in self.pubtypes), None)

        if b_design:
            design, evidence = b_design, b_ev
            bset = {d for d, _ in body}
            for a, b in INCOMPATIBLE:
                if a in bset and b in bset and design not in _REVIEWS:   # a review cites both
                    result.flags.append(f"rules disagree: the text has both {a} and {b} cues")
        elif t_design:
            design, evidence = t_design, t_ev
        elif p_design:
            design = p_design
            evidence = [Evidence(text=design, start=0, end=0, rule="design.publication_type",
                                 confidence=0.7, section="publication_types")]
        else:
            design, evidence = self.misspelt(ctx)
            if not design:
                design, evidence = self.fallback(ctx)
        if design and t_design and t_design != design and FAMILY[t_design] != FAMILY[design] \
                and (t_design, design) not in REFINES:
            result.flags.append(f"rules disagree: title says {t_design}, methods say {design}")
        if design and p_design and p_design != design and FAMILY[p_design] != FAMILY[design] \
                and (p_design, design) not in REFINES and (design, p_design) not in REFINES:
            result.flags.append(f"rules disagree: publication type says {p_design}, text says {design}")
        result.value = design
        result.evidence = sorted(evidence, key=lambda e: -e.confidence)[:3]
        return result

    @staticmethod
    def misspelt(ctx) -> tuple[str | None, list[Evidence]]:
        """A design word typed with one slip ("randomzied"): the design, at a confidence low
        enough that a curator confirms it."""
        for sentence in ctx.main_sentences:
            for m in _LONG_WORD.finditer(sentence.text):
                word = m.group(0).lower()
                for correct, design in _WORDS_BY_LENGTH.get(len(word), ()):
                    if word != correct and _within_one_edit(word, correct):
                        return design, [evidence_at(sentence, m.start(), m.end(), "design.misspelt_cue", 0.55)]
        return None, []

    @staticmethod
    def fallback(ctx) -> tuple[str | None, list[Evidence]]:
        count = ctx.results.get("sample_size_raw")
        if count is None or count.value is None:
            title = ctx.main_sentences[0] if ctx.main_sentences and ctx.main_sentences[0].section == "title" else None
            m = _TITLE_TECHNIQUE.search(title.text) if title else None
            if m:        # a title that presents a technique, and no patients counted
                return "technical_note", [evidence_at(title, m.start(), m.end(), "design.technique_in_title", 0.5)]
            return None, []
        ev = count.evidence[0]
        guess = "case_report" if count.value <= 2 else "case_series"
        return guess, [Evidence(ev.text, ev.start, ev.end, f"design.fallback_{guess}", 0.45, ev.section)]


def build_design_rules(config: dict | None = None) -> DesignRules:
    config = config or {}
    return DesignRules(load_vocab("design_cues", config.get("design_vocab")),
                       load_vocab("relevance", config.get("relevance_vocab")))
