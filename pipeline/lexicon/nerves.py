"""The nerve lexicon: names of the peripheral nerves and neural structures, mapped to the
target groups of EXTRACTION_SPEC.md.

`vocab/nerves.json` holds the names per group (singular; plurals are derived here),
case-sensitive abbreviations, the adjectives that name a nerve on their own ("intercostal",
"radial") and joints whose denervation is the target. The extractor matches the names with a
spaCy PhraseMatcher over tokens (extract/targets.py); `NerveNames.find` matches them in a short
text such as a table cell with one regular expression, no spaCy needed.
"""

from __future__ import annotations

import re

PLURALS = (("nerve", "nerves"), ("branch", "branches"), ("neuroma", "neuromas"),
           ("ganglion", "ganglia"), ("joint", "joints"))


def plural_forms(term: str) -> list[str]:
    """A name and its plural ("genicular nerve" -> "genicular nerves")."""
    forms = [term]
    for sing, plur in PLURALS:
        if term.endswith(sing):
            forms.append(term[: -len(sing)] + plur)
        elif term.startswith(sing + " ") or f" {sing} " in term:
            forms.append(term.replace(sing, plur, 1))
    return forms


_SPACES = re.compile(r"\s+")
_PLURAL_WORDS = [(plur, sing, re.compile(rf"\b{plur}\b")) for sing, plur in PLURALS]


def singular(target: str) -> str:
    """A target's key: lower case, single spaces, plurals made singular."""
    t = _SPACES.sub(" ", target.lower()).strip()
    for plur, sing, word in _PLURAL_WORDS:
        if plur in t:                  # most keys hold no plural: no substitution to run
            t = word.sub(sing, t)
    return t


class NerveNames:
    """Every name of the lexicon (and its plural) in one alternation, longest first."""

    def __init__(self, vocab: dict):
        self.group = {form: group for group, terms in vocab["groups"].items()
                      for term in terms for form in plural_forms(term)}
        self.abbreviations = dict(vocab["abbreviations"])
        self.bare = dict(vocab["bare_names"])
        names = sorted(self.group, key=len, reverse=True)
        self._names = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])", re.I)
        abbrs = sorted(self.abbreviations, key=len, reverse=True)
        self._abbrs = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(a) for a in abbrs) + r")(?![\w-])")

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, group) for every name or abbreviation in `text`."""
        hits = [(m.start(), m.end(), self.group[m.group(0).lower()]) for m in self._names.finditer(text)]
        hits += [(m.start(), m.end(), self.abbreviations[m.group(0)]) for m in self._abbrs.finditer(text)
                 if not any(s <= m.start() < e for s, e, _ in hits)]
        return sorted(hits)
