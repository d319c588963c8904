"""Cue patterns that cost only where their words occur.

Python's `re` tries a pattern at every position of the text, and every alternative of an
alternation at each of them, whether or not the words it needs occur. Three remedies, all exact
(a pattern finds what it found before, in the same order):

* `compile_cue` derives from the parsed pattern the literals every match must contain, as
  key sets of which a match holds one literal each (`required_key_sets`; "a single patient"
  needs "single" and "patient"), and returns a `Cue` that checks them on the lower-cased text
  before running the regex: the keys a text holds are found once for every cue, in one pass
  (`keyscan.KEYS`, Aho-Corasick), so a check is a set intersection. The pattern is also put behind a
  lookahead on the characters it can start with (`first_char_guard`). Most cue patterns meet
  most sentences without their words.
* `KeyedAlternation` keeps each alternative of a large alternation with its keys and runs only
  the alternatives whose keys are present.
* `alternations.CueAlternation` does the same for an alternation whose capture groups number
  its alternatives (the design and modality cues).
"""

from __future__ import annotations

import re

from .anchors import first_match_at, literal_starts, matches_at, opening_literals
from .keyscan import KEYS, check_order  # noqa: F401  (check_order: part of this module's API)


class KeyedAlternation:
    def __init__(self, parts: list[tuple[tuple[str, ...], str]], flags: int = re.I):
        self.parts = [(KEYS.keyset(k.lower() for k in keys), _opening_cue(pattern, flags)) for keys, pattern in parts]

    def finditer(self, text: str, lower: str | None = None) -> list[re.Match]:
        lower = text.lower() if lower is None else lower
        got = KEYS.found(lower)
        found = []
        for keys, rx in self.parts:
            if keys.met(lower, got):
                found.extend(rx.finditer(text))
        found.sort(key=lambda m: (m.start(), -m.end()))
        return found

    def search(self, text: str, lower: str | None = None) -> re.Match | None:
        lower = text.lower() if lower is None else lower
        got = KEYS.found(lower)
        best = None
        for keys, rx in self.parts:
            if keys.met(lower, got):
                m = rx.search(text)
                if m and (best is None or m.start() < best.start()):
                    best = m
        return best


def keyed_alternation(parts: list[tuple[tuple[str, ...], str]], flags: int = re.I) -> KeyedAlternation:
    return KeyedAlternation(parts, flags)


def _opening_cue(pattern: str, flags: int) -> "Cue | re.Pattern":
    """The pattern compiled as it is, tried only where its opening literals occur when it has
    them (no key check: the caller checks its own keys)."""
    regex = re.compile(pattern, flags)
    opening = opening_literals(_parsed(pattern, flags))
    return regex if opening is None else Cue(regex, [], opening)


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


def _parsed(pattern: str, flags: int) -> list | None:
    """The pattern's parse tree (sre's own parser), or None for a pattern it cannot read."""
    try:
        return list(_sp.parse(pattern, flags))
    except Exception:                                     # noqa: BLE001 - an odd pattern: no help
        return None


def first_char_guard(pattern: str, flags: int = re.I, parsed: list | None = None) -> str:
    """`pattern` behind a lookahead on the characters it can start with.

    Python's `re` gains no fast scan from an alternation that begins with "\\b"; a leading
    character-class lookahead lets it reject most positions at once (2-3x on long cue lists).
    Returns the pattern unchanged when its first characters cannot be told."""
    parsed = _parsed(pattern, flags) if parsed is None else parsed
    chars = _first(parsed, bool(flags & re.I)) if parsed is not None else None
    if not chars or r"\w" in chars:
        return pattern
    cls = "".join(sorted(c if c in (r"\d", r"\s") else re.escape(c) for c in chars))
    return f"(?=[{cls}])(?:{pattern})"


# A key set worth checking: a one-letter key ("d" for days) occurs in nearly every sentence,
# and a long list of keys costs more to check than the regex it would spare.
_MIN_KEY, _MAX_KEYS = 2, 60


def _selectivity(keys: frozenset) -> tuple[int, int]:
    """How rarely a key set is met, roughly: the longer its shortest key and the fewer its keys."""
    return min(len(k) for k in keys), -len(keys)


def _requirements(items) -> list[frozenset]:
    """Key sets that every match of the parsed sequence meets, each by containing one of the
    set's literals (lower case). Sound by construction: anything unsure (classes, optional
    parts, lookarounds, back-references) adds no set, and a run of literals is cut at each."""
    sets: list[frozenset] = []
    run: list[str] = []

    def close() -> None:
        if run:
            sets.append(frozenset(["".join(run)]))
            run.clear()

    for op, av in items:
        # ASCII only: `re.I` pairs some non-ASCII letters with others that lower() keeps apart
        if op is _sc.LITERAL and av < 128:
            run.append(chr(av).lower())
            continue
        close()
        if op is _sc.SUBPATTERN:
            sets.extend(_requirements(list(av[-1])))
        elif op is _sc.BRANCH:            # one of the branches: the union of each one's best set
            best = [max(sub, key=_selectivity) if sub else None
                    for sub in (_requirements(list(branch)) for branch in av[1])]
            if all(b is not None for b in best):
                sets.append(frozenset().union(*best))
        elif op in (_sc.MAX_REPEAT, _sc.MIN_REPEAT, getattr(_sc, "POSSESSIVE_REPEAT", None)):
            lo, _, item = av
            if lo >= 1:
                sets.extend(_requirements(list(item)))
        elif op is getattr(_sc, "ATOMIC_GROUP", None):
            sets.extend(_requirements(list(av)))
    close()
    return sets


def required_key_sets(pattern: str, flags: int = re.I, most: int = 3,
                      parsed: list | None = None) -> list[frozenset]:
    """Up to `most` key sets, most selective first: every text the pattern matches contains,
    lower-cased, one literal of each set."""
    parsed = _parsed(pattern, flags) if parsed is None else parsed
    if parsed is None:
        return []
    sets = _requirements(parsed)
    unique = sorted(set(sets), key=_selectivity, reverse=True)
    return [keys for keys in unique if min(map(len, keys)) >= _MIN_KEY and len(keys) <= _MAX_KEYS][:most]


def required_keys(pattern: str, flags: int = re.I) -> frozenset | None:
    """The most selective of `required_key_sets`, or None."""
    sets = required_key_sets(pattern, flags, most=1)
    return sets[0] if sets else None


# texts lower-cased lately: the cues of every field meet the same sentences (and the record's
# whole text) again and again, in turns, so one remembered text would be lowered many times over
_lowered: dict[str, str] = {}
_LOWERED_KEPT = 1 << 20        # characters remembered at most (a few hundred records' worth)
_lowered_size = 0


def lowered(text: str) -> str:
    """`text` lower-cased as `re.I` compares letters. Remembered for the last texts met (up to
    `_LOWERED_KEPT` characters, then all forgotten at once): the same strings come back from
    rule to rule."""
    global _lowered_size
    low = _lowered.get(text)
    if low is not None:
        return low
    if text.isascii():
        low = text.lower()
    else:
        # `re.I` matches "i" to dotted "İ", which str.lower() makes two characters ("i̇"),
        # and to dotless "ı", and "s" to long "ſ", which str.lower() keeps as they are
        low = text.replace("İ", "i").lower() if "İ" in text else text.lower()
        if "ı" in low or "ſ" in low:
            low = low.replace("ı", "i").replace("ſ", "s")
    if _lowered_size > _LOWERED_KEPT:
        _lowered.clear()
        _lowered_size = 0
    _lowered[text] = low
    _lowered_size += len(text)
    return low


def forget_texts() -> None:
    """Forget the texts lowered and scanned for keys so far: a new record begins, and its texts
    are new (a benchmark that repeats records would otherwise be served from memory)."""
    global _lowered_size
    _lowered.clear()
    _lowered_size = 0
    KEYS.forget()


class Cue:
    """A compiled pattern that first checks that the text holds the literals its matches need
    (one of each key set; `keyscan.KEYS` finds them), then, when every match opens with one of a few
    literals, tries it only where they occur (`anchors`). Same methods and results as
    `re.Pattern`. `match` and calls with pos/endpos skip both: an anchored attempt costs less
    than the check."""

    __slots__ = ("regex", "key_sets", "opening", "opening_ids", "pattern", "flags", "groups", "groupindex")

    def __init__(self, regex: re.Pattern, key_sets: list, opening: tuple[str, ...] | None = None):
        self.regex = regex
        self.key_sets = tuple(KEYS.keyset(keys) for keys in key_sets)
        self.opening = opening
        self.opening_ids = KEYS.literals(opening or ())
        self.pattern, self.flags = regex.pattern, regex.flags
        self.groups, self.groupindex = regex.groups, regex.groupindex

    def absent(self, text: str) -> bool:
        if not self.key_sets:
            return False
        low = _lowered.get(text) or lowered(text)     # inlined: the hot path of every rule
        got = KEYS.found(low)
        for keys in self.key_sets:
            if keys.ids.isdisjoint(got) and not (keys.short and any(map(low.__contains__, keys.short))):
                return True
        return False

    def starts(self, text: str) -> list[int] | None:
        """Offsets where a match can begin, or None when the pattern must scan everywhere."""
        if self.opening is None:
            return None
        low = _lowered.get(text) or lowered(text)
        if len(low) != len(text):
            return None
        return literal_starts(low, KEYS.held(low, self.opening_ids))

    def search(self, text: str, *bounds):
        if bounds:
            return self.regex.search(text, *bounds)
        if self.absent(text):
            return None
        starts = self.starts(text)
        return self.regex.search(text) if starts is None else first_match_at(self.regex, text, starts)

    def match(self, text: str, *bounds):
        return self.regex.match(text, *bounds)

    def fullmatch(self, text: str, *bounds):
        return self.regex.fullmatch(text, *bounds)

    def finditer(self, text: str, *bounds):
        if bounds:
            return self.regex.finditer(text, *bounds)
        if self.absent(text):
            return iter(())
        starts = self.starts(text)
        return self.regex.finditer(text) if starts is None else matches_at(self.regex, text, starts)

    def findall(self, text: str, *bounds):
        return [] if not bounds and self.absent(text) else self.regex.findall(text, *bounds)

    def sub(self, repl, text: str, count: int = 0):
        return self.regex.sub(repl, text, count)

    def split(self, text: str, maxsplit: int = 0):
        return self.regex.split(text, maxsplit)

    def __repr__(self) -> str:
        return f"Cue({self.pattern!r}, keys={tuple(k.keys for k in self.key_sets)!r}, opening={self.opening!r})"


def finditer_at(pattern: "Cue | re.Pattern", text: str, starts: list[int] | None):
    """`pattern.finditer(text)`, trying the pattern only at `starts` (ascending offsets where a
    match can begin, a superset of them, found beforehand: see `numbers.number_starts`; None:
    everywhere). One anchored attempt per start instead of the engine's attempt at every
    position; exact (`anchors.matches_at`)."""
    if starts is None:
        return pattern.finditer(text)
    if not starts:                 # no place to begin: no match, and no literal check to pay for
        return iter(())
    if isinstance(pattern, Cue):
        if pattern.absent(text):
            return iter(())
        pattern = pattern.regex
    return matches_at(pattern, text, starts)


def compile_cue(pattern: str, flags: int = re.I) -> "Cue | re.Pattern":
    """re.compile with the first-character guard, behind a required-literal check when the
    pattern has selective literals and tried only where its opening literals occur when it has
    them (else the plain compiled pattern)."""
    parsed = _parsed(pattern, flags)          # read once for the guard, the keys and the openings
    regex = re.compile(first_char_guard(pattern, flags, parsed), flags)
    key_sets = required_key_sets(pattern, flags, parsed=parsed)
    opening = opening_literals(parsed)
    return Cue(regex, key_sets, opening) if key_sets or opening else regex
