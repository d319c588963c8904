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


try:                                    # Python >= 3.11
    from re import _constants as _sc, _parser as _sp
except ImportError:                     # pragma: no cover
    import sre_constants as _sc
    import sre_parse as _sp

_CATEGORY = {_sc.CATEGORY_WORD: r"\w", _sc.CATEGORY_DIGIT: r"\d", _sc.CATEGORY_SPACE: r"\s"}


def _first(items, ignore_case: bool) -> set | None:
    """The characters a parsed (sub)pattern can start with, as regex class members; None when
    it can start with anything (or cannot be told)."""
    out: set = set()
    for op, av in items:
        if op is _sc.AT or op in (_sc.ASSERT, _sc.ASSERT_NOT):
            continue                                      # zero-width: look at what follows
        if op is _sc.LITERAL:
            ch = chr(av)
            out |= {ch.lower(), ch.upper()} if ignore_case else {ch}
            return out
        if op is _sc.IN:
            for kind, value in av:
                if kind is _sc.LITERAL:
                    ch = chr(value)
                    out |= {ch.lower(), ch.upper()} if ignore_case else {ch}
                elif kind is _sc.CATEGORY and value in _CATEGORY:
                    out.add(_CATEGORY[value])
                elif kind is _sc.RANGE:
                    lo, hi = value
                    if hi - lo > 60:
                        return None
                    for c in range(lo, hi + 1):
                        out |= {chr(c).lower(), chr(c).upper()} if ignore_case else {chr(c)}
                elif kind is _sc.NEGATE:
                    return None
                else:
                    return None
            return out
        if op is _sc.BRANCH:
            for branch in av[1]:
                sub = _first(list(branch), ignore_case)
                if sub is None:
                    return None
                out |= sub
            return out
        if op is _sc.SUBPATTERN:
            sub = _first(list(av[-1]), ignore_case)
            if sub is None:
                return None
            out |= sub
            return out
        if op in (_sc.MAX_REPEAT, _sc.MIN_REPEAT, getattr(_sc, "POSSESSIVE_REPEAT", None)):
            lo, _, item = av
            sub = _first(list(item), ignore_case)
            if sub is None:
                return None
            out |= sub
            if lo > 0:
                return out
            continue                                      # optional: what follows may start it
        return None
    return None


def first_char_guard(pattern: str, flags: int = re.I) -> str:
    """`pattern` behind a lookahead on the characters it can start with.

    Python's `re` gains no fast scan from an alternation that begins with "\\b"; a leading
    character-class lookahead lets it reject most positions at once (2-3x on long cue lists).
    Returns the pattern unchanged when its first characters cannot be told."""
    try:
        chars = _first(list(_sp.parse(pattern, flags)), bool(flags & re.I))
    except Exception:                                     # noqa: BLE001 - an odd pattern: no guard
        return pattern
    if not chars or r"\w" in chars:
        return pattern
    cls = "".join(sorted(c if c in (r"\d", r"\s") else re.escape(c) for c in chars))
    return f"(?=[{cls}])(?:{pattern})"


def compile_cue(pattern: str, flags: int = re.I) -> re.Pattern:
    """re.compile with the first-character guard."""
    return re.compile(first_char_guard(pattern, flags), flags)
