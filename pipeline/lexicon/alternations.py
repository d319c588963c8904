"""Alternations whose capture groups number their alternatives (the design and modality cues),
searched alternative by alternative where each one's literals occur.

`CueAlternation` keeps `(alt0)|(alt1)|...` as one compiled pattern per alternative with the key
sets its matches need (`patterns.required_key_sets`) and the literals they open with
(`anchors.opening_literals`); the matches are merged as the alternation would choose them
(leftmost first, ties to the earlier alternative) and numbered as in the alternation.

The alternations of every design and every modality are tried on the same text (a record's
whole text), and their alternatives share many keys ("review", "random", "guided"): the keys a
text holds are found once, all together (`keyscan.KEYS`).
"""

from __future__ import annotations

import re

from .anchors import first_match_at, literal_starts, opening_literals
from .keyscan import KEYS
from .patterns import _parsed, first_char_guard, lowered, required_key_sets


class AlternativeMatch:
    """A match of one alternative of a `CueAlternation`, numbered as in the whole alternation:
    `lastindex` is i + 1 for alternative i, as with `(alt0)|(alt1)|...`."""

    __slots__ = ("match", "index")

    def __init__(self, match: re.Match, index: int):
        self.match, self.index = match, index

    @property
    def lastindex(self) -> int:
        return self.index + 1

    def start(self, group: int = 0) -> int:
        return self.match.start(group)

    def end(self, group: int = 0) -> int:
        return self.match.end(group)

    def span(self, group: int = 0) -> tuple[int, int]:
        return self.match.span(group)

    def group(self, group: int = 0) -> str:
        return self.match.group(group)


class CueAlternation:
    """`(alt0)|(alt1)|...` searched alternative by alternative, only those whose required
    literals occur in the text.

    Exact: at each position the alternation takes the first alternative that matches there,
    so the next match is the leftmost of the alternatives' next matches, ties going to the
    lower index, and scanning goes on from its end. Alternatives must not match the empty
    string (a cue always names something)."""

    def __init__(self, alternatives: list[str], flags: int = re.I):
        self.parts = []
        for alt in alternatives:
            parsed = _parsed(alt, flags)
            regex = re.compile(first_char_guard(alt, flags, parsed), flags)
            if regex.match(""):
                raise ValueError(f"a cue must not match the empty string: {alt!r}")
            opening = opening_literals(parsed)      # None: a match can begin anywhere
            self.parts.append((tuple(KEYS.keyset(keys) for keys in required_key_sets(alt, flags, parsed=parsed)), regex,
                               None if opening is None else KEYS.literals(opening)))
        self.pattern = "|".join(f"({alt})" for alt in alternatives)

    def finditer(self, text: str):
        low = lowered(text)
        got = KEYS.found(low)
        same_offsets = len(low) == len(text)
        alts = [(i, regex, literal_starts(low, KEYS.held(low, opening)) if opening is not None and same_offsets else None)
                for i, (key_sets, regex, opening) in enumerate(self.parts) if all(keys.met(low, got) for keys in key_sets)]
        upcoming = [regex.search(text) if starts is None else first_match_at(regex, text, starts)
                    for _, regex, starts in alts]
        pos = 0
        while True:
            best = -1
            for j, (_, regex, starts) in enumerate(alts):
                m = upcoming[j]
                if m is not None and m.start() < pos:
                    m = upcoming[j] = regex.search(text, pos) if starts is None else first_match_at(regex, text, starts, pos)
                if m is not None and (best < 0 or m.start() < upcoming[best].start()):
                    best = j
            if best < 0:
                return
            m = upcoming[best]
            yield AlternativeMatch(m, alts[best][0])
            pos = m.end()

    def search(self, text: str) -> AlternativeMatch | None:
        return next(self.finditer(text), None)


def cue_alternation(alternatives: list[str], flags: int = re.I) -> CueAlternation:
    return CueAlternation(alternatives, flags)
