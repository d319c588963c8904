"""Where a cue's matches can begin, found with `str.find` instead of the regex engine's scan.

Python's `re` attempts a pattern at every position of the text. Most cue patterns open with a
word from a list ("\\b(?:rats?|mice|sheep|...)\\b", "\\b(?:no|not)\\s+..."): every match begins
with one of a few literals. `opening_literals` reads them from the parsed pattern; the offsets
where they occur in the lower-cased text (`literal_starts`) are then the only places a match
can begin, and `matches_at` tries the pattern there alone, one anchored attempt each.

Exact, by construction: a position where no opening literal occurs cannot begin a match, an
anchored attempt at a position is the one a scan makes there (look-behinds and "\\b" see the
text before it), and scanning resumes at each match's end as `finditer` does. The offsets of
the lower-cased text are those of the text only when lower-casing keeps its length (it does
except for a few letters such as "İ"); callers fall back to the plain scan otherwise.
"""

from __future__ import annotations

import re
from bisect import bisect_left

try:                                    # Python >= 3.11
    from re import _constants as _sc
except ImportError:                     # pragma: no cover
    import sre_constants as _sc

_ZERO_WIDTH = (_sc.AT, _sc.ASSERT, _sc.ASSERT_NOT)
_REPEATS = (_sc.MAX_REPEAT, _sc.MIN_REPEAT)
# An opening literal shorter than this occurs too often to spare the scan ("in", "on"); more
# literals than MAX_OPENING cost more to look for than the scan they would spare.
MIN_OPENING, MAX_OPENING = 3, 40


def _opening(items) -> set[str] | None:
    """Lower-cased literals one of which every match of the parsed sequence begins with; None
    when that cannot be told (a wide class, an optional or repeated start, a non-ASCII letter)."""
    heads = {""}
    for i, (op, av) in enumerate(items):
        if heads == {""} and op in _REPEATS and av[0] == 0 and av[1] == 1:
            # an optional start ("(?:under\s+)?direct"): its openings or those of what follows
            first, rest = _opening(list(av[2])), _opening(items[i + 1:])
            return first | rest if first and rest else None
        if op is _sc.LITERAL and av < 128:
            heads = {h + chr(av).lower() for h in heads}
            continue
        letters = _small_class(op, av)
        if letters:                        # "[ck]ryo": "cryo" or "kryo"
            heads = {h + c for h in heads for c in letters}
            continue
        if heads == {""} and op in _ZERO_WIDTH:
            continue                       # "\b", look-arounds: what follows opens the match
        # a group carries the literals on (sre factors a common prefix out of an alternation:
        # "did|does" -> "d(?:id|oes)"); what follows it is not added, its openings vary in length
        sub = _group_opening(op, av)
        if sub:
            return {h + s for h in heads for s in sub}
        break
    return None if heads == {""} else heads


def _small_class(op, av) -> set[str] | None:
    """The letters of a class of at most four ASCII literals ("[ck]"), lower-cased."""
    if op is not _sc.IN or len(av) > 4:
        return None
    out = set()
    for kind, value in av:
        if kind is not _sc.LITERAL or value >= 128:
            return None
        out.add(chr(value).lower())
    return out


def _group_opening(op, av) -> set[str] | None:
    if op is _sc.SUBPATTERN:
        return _opening(list(av[-1]))
    if op is _sc.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            sub = _opening(list(branch))
            if sub is None:
                return None
            out |= sub
        return out
    return None


def opening_literals(parsed: list | None) -> tuple[str, ...] | None:
    """The literals that open every match of a parsed pattern, if each has MIN_OPENING
    characters or more and there are at most MAX_OPENING of them; else None."""
    if parsed is None:
        return None
    found = _opening(parsed)
    if not found or min(map(len, found)) < MIN_OPENING or len(found) > MAX_OPENING:
        return None
    # a literal that starts with another adds no position the shorter one does not
    kept = sorted(found, key=len)
    return tuple(k for i, k in enumerate(kept) if not any(k.startswith(s) for s in kept[:i]))


def literal_starts(low: str, literals: tuple[str, ...]) -> list[int]:
    """Sorted offsets of every occurrence of the literals in `low`."""
    starts: list[int] = []
    find = low.find
    for lit in literals:
        i = find(lit)
        while i >= 0:
            starts.append(i)
            i = find(lit, i + 1)
    if len(literals) > 1:
        starts.sort()
    return starts


def matches_at(regex: re.Pattern, text: str, starts: list[int]):
    """`regex.finditer(text)` when every match begins at one of `starts` (ascending; a
    superset is fine): one anchored attempt per start past the previous match. Matches must
    not be empty."""
    pos = 0
    for start in starts:
        if start >= pos:
            m = regex.match(text, start)
            if m is not None:
                yield m
                pos = m.end()


def first_match_at(regex: re.Pattern, text: str, starts: list[int], pos: int = 0) -> re.Match | None:
    """`regex.search(text, pos)` when every match begins at one of `starts` (ascending)."""
    match = regex.match
    for i in range(bisect_left(starts, pos) if pos else 0, len(starts)):
        m = match(text, starts[i])
        if m is not None:
            return m
    return None
