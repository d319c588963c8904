"""Plain-function wrappers over the extractor's field normalisers, for table cells.

The extractor's rules (`pipeline.extract`) read whole sentences through a spaCy context; a table
cell is a few words ("RCT", "US + NS", "6 mo"). These wrappers call the same vocabularies and
regular expressions on a cell, so a value from a table means what the same value means in text:

* `design_of(text)`: the design cue regexes of `pipeline.extract.design` (vocab
  `design_cues.json`) over the (legend-expanded) cell; a cue inside a longer cue of another
  design is ignored ("randomised" inside "non-randomised"), then the extractor's PRECEDENCE
  decides. Bare conventional codes (RCT, CS, CR, SR, ...) are expanded first when the table has
  no legend.
* `follow_up_days(text, unit_hint)`: `pipeline.extract.follow_up.DURATION` and its unit table
  (day 1, week 7, month 30, year 365); a range keeps its maximum. A bare number takes the unit
  named in the column header ("Follow-up (months)").
* `guidance_of(text)`: the cell is split at "+", "/", ",", "and", "&"; each part is tested, as
  "<part>-guided", against the guidance cue regexes of `pipeline.extract.guidance` (vocab
  `guidance.json`); common cell words with no regex there (surgical, open, landmark, blind,
  Fluoro) are mapped by a small table.
* `targets_of(text)`: the nerve lexicon of `pipeline.extract.targets` (the
  `litmine_nerve_lexicon` spaCy component on a blank English pipeline, no model needed). A part
  with no hit is retried as "<part> nerve" ("Genicular" -> genicular nerve) and then by the
  lexicon's bare names ("Tibial motor branches" -> tibial).
* `sample_size_of(text)`: the first number (digits or words, `pipeline.extract.numbers`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.extract.design import PRECEDENCE, build_design_rules
from pipeline.extract.follow_up import DURATION, unit_days
from pipeline.extract.guidance import ORDER as GUIDANCE_ORDER, build_guidance_rules
from pipeline.extract.numbers import NUMBER, parse_number
from pipeline.extract.vocabulary import load_vocab

# conventional design codes, used only when the table's own legend does not define them
DESIGN_CODES = {"RCT": "randomised controlled trial", "NRCT": "non-randomised controlled trial",
                "CS": "case series", "CR": "case report", "SR": "systematic review",
                "MA": "meta-analysis", "SR/MA": "systematic review", "RS": "retrospective study",
                "PS": "prospective study", "PCS": "prospective cohort", "RCS": "retrospective cohort"}
_DESIGN_CODE = re.compile(r"(?<![\w/-])(?:" + "|".join(re.escape(c) for c in sorted(DESIGN_CODES, key=len, reverse=True))
                          + r")(?![\w/-])")
GUIDANCE_WORDS = {"us": "ultrasound", "usg": "ultrasound", "fluoro": "fluoroscopy", "fl": "fluoroscopy",
                  "ct": "ct", "mri": "mri", "mr": "mri", "ns": "nerve_stimulator", "pns": "nerve_stimulator",
                  "nerve stimulator": "nerve_stimulator", "nerve stimulation": "nerve_stimulator",
                  "surgical": "surgical", "surgery": "surgical", "open": "surgical",
                  "intraoperative": "surgical", "direct vision": "surgical", "open surgery": "surgical",
                  "landmark": "landmark", "landmarks": "landmark", "anatomical landmarks": "landmark",
                  "blind": "blind", "c-arm": "fluoroscopy"}
_SPLIT = re.compile(r"\s*(?:\+|/|,|;|&|\band\b|\bwith\b|\bplus\b)\s*", re.I)
_FIRST_NUMBER = re.compile(rf"(?<![\w.]){NUMBER}(?![\w.]*\d)", re.I)
_UNIT_HINT = re.compile(r"\b(days?|weeks?|wks?|months?|mos?|years?|yrs?)\b", re.I)


@lru_cache(maxsize=1)
def _design_rules():
    return build_design_rules()


@lru_cache(maxsize=1)
def _guidance_rules():
    return build_guidance_rules()


@lru_cache(maxsize=1)
def _nerve_nlp():
    import spacy

    from pipeline.extract import targets  # noqa: F401  registers litmine_nerve_lexicon
    nlp = spacy.blank("en")
    nlp.add_pipe("litmine_nerve_lexicon")
    return nlp


def design_of(text: str) -> str | None:
    """Cell (already legend-expanded) -> design enum or None."""
    if not text or not text.strip():
        return None
    t = text.strip()
    if t.upper() in DESIGN_CODES:
        t = DESIGN_CODES[t.upper()]
    else:   # a code with a qualifier: "RCT vs sham", "RCT (pilot)"
        t = _DESIGN_CODE.sub(lambda m: DESIGN_CODES[m.group(0)], t)
    hits = []
    for design, rx, _ in _design_rules().cue_res:
        for m in rx.finditer(t):
            hits.append((design, m.start(), m.end()))
    hits = [h for h in hits if not any(o[0] != h[0] and o[1] <= h[1] and h[2] <= o[2]
                                       and (o[2] - o[1]) > (h[2] - h[1]) for o in hits)]
    found = {h[0] for h in hits}
    for d in PRECEDENCE:
        if d in found and d != "other":
            return d
    low = t.lower()
    if re.search(r"\bcohort\b|\bobservational\b", low):
        return "prospective_observational" if "prospective" in low else (
            "retrospective_observational" if "retrospective" in low else None)
    return None


def follow_up_days(text: str, unit_hint: str | None = None) -> int | None:
    """'6 Months' -> 180, '2-18 mo' -> 540, '12 wk' -> 84; '9' with unit_hint 'months' -> 270."""
    if not text or not text.strip():
        return None
    best = None
    for m in DURATION.finditer(text):
        nums = [parse_number(x) for x in re.findall(r"\d+(?:\.\d+)?|[A-Za-z-]+", m.group("nums"))]
        nums = [n for n in nums if isinstance(n, (int, float))]
        if nums:
            days = max(nums) * unit_days(m.group("unit"))
            best = days if best is None else max(best, days)
    if best is None and unit_hint:
        u = _UNIT_HINT.search(unit_hint)
        nums = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)]
        if u and nums:
            best = max(nums) * unit_days(u.group(1))
    return int(round(best)) if best else None


def guidance_of(text: str) -> list[str]:
    """'US and Fluoro' -> ['ultrasound', 'fluoroscopy'] (the extractor's order)."""
    if not text or not text.strip():
        return []
    rules = _guidance_rules()
    found = set()
    for part in _SPLIT.split(text.strip()):
        part = part.strip(" .()")
        if not part:
            continue
        low = part.lower()
        if low in GUIDANCE_WORDS:
            found.add(GUIDANCE_WORDS[low])
            continue
        probe = f"{part}-guided"
        for modality, rx, _ in rules.combined:
            if rx.search(probe) and not (modality in rules.negative and rules.negative[modality].search(probe)):
                found.add(modality)
                break
        else:
            for word, g in GUIDANCE_WORDS.items():
                if re.search(rf"\b{re.escape(word)}\b", low):
                    found.add(g)
    return [g for g in GUIDANCE_ORDER if g in found]


def targets_of(text: str) -> tuple[list[str], list[str]]:
    """'Genicular + infrapatellar branch of the saphenous nerve' ->
    (['genicular nerve', 'infrapatellar branch of the saphenous nerve'], ['genicular', 'saphenous'])."""
    if not text or not text.strip():
        return [], []
    nlp = _nerve_nlp()
    bare = load_vocab("nerves")["bare_names"]
    names: list[str] = []
    groups: list[str] = []

    def add(name, group):
        name = re.sub(r"\s+", " ", name.lower()).strip()
        if name and name not in names:
            names.append(name)
            if group not in groups:
                groups.append(group)

    for part in re.split(r"\s*(?:\+|;|&|,|/|\band\b)\s*", text.strip()):
        part = part.strip(" .()")
        if not part:
            continue
        hits = nlp(part)._.nerve_hits or []
        if not hits and not re.search(r"\bnerves?\b", part, re.I):
            alt = f"{part} nerve"
            hits = [(s, e, g, r) for s, e, g, r in (nlp(alt)._.nerve_hits or [])]
            if hits:
                part = alt
        if hits:
            for s, e, g, rule in hits:
                add(part[s:e], g)
            continue
        for word in re.findall(r"[A-Za-z]+", part):
            if word.lower() in bare:
                add(part, bare[word.lower()])
                break
        else:
            add(part, "other")
    return names, groups


def sample_size_of(text: str) -> int | None:
    """'169' -> 169, '1,024' -> 1024, 'n = 24 (12 vs 12)' -> 24, 'NR' -> None."""
    if not text:
        return None
    m = _FIRST_NUMBER.search(text.replace("n =", " ").replace("N =", " "))
    if not m:
        return None
    v = parse_number(m.group(0))
    return int(v) if isinstance(v, (int, float)) and float(v).is_integer() else None
