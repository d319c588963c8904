"""Keyed alternations: large cue alternations searched only where they can match.

Python's `re` tries every alternative of an alternation at every position of the text, so a
cue list of twenty phrasings costs twenty attempts per character whether or not any of its
words occur. A `KeyedAlternation` keeps each alternative with the literal substrings one of
which it cannot match without (lower case), checks those with `in` on the lower-cased text
(a C-speed scan), and runs only the alternatives whose keys are present. Matches come back in
text order, as from one alternation.
"""

from __future__ import annotations

import re


class KeyedAlternation:
    def __init__(self, parts: list[tuple[tuple[str, ...], str]], flags: int = re.I):
        self.parts = [(tuple(k.lower() for k in keys), re.compile(pattern, flags)) for keys, pattern in parts]

    def finditer(self, text: str, lower: str | None = None) -> list[re.Match]:
        lower = text.lower() if lower is None else lower
        found = []
        for keys, rx in self.parts:
            if any(k in lower for k in keys):
                found.extend(rx.finditer(text))
        found.sort(key=lambda m: (m.start(), -m.end()))
        return found

    def search(self, text: str, lower: str | None = None) -> re.Match | None:
        lower = text.lower() if lower is None else lower
        best = None
        for keys, rx in self.parts:
            if any(k in lower for k in keys):
                m = rx.search(text)
                if m and (best is None or m.start() < best.start()):
                    best = m
        return best


def keyed_alternation(parts: list[tuple[tuple[str, ...], str]], flags: int = re.I) -> KeyedAlternation:
    return KeyedAlternation(parts, flags)
