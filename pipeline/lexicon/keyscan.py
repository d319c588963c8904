"""Which cue keys a text holds, every field's keys found in one pass over the text.

The cue patterns (`patterns.Cue`, `alternations.CueAlternation`, `patterns.KeyedAlternation`)
and the rules' own key lists skip their regexes when the text lacks the literals a match
needs. Checked one key at a time (`key in text`), a sentence is scanned once per key: about
800 keys, many hundreds of scans per abstract, most of them for keys the sentence does not hold.

`KeyScan` registers every key once and gives it a number; `found(low)` runs one Aho-Corasick
automaton (Aho & Corasick, 1975; the `pyahocorasick` package) over a lower-cased text and
returns the numbers of all the keys that occur in it, overlapping ones included, so a key set
is met when it shares a number with that set. Exact: a key is found where `key in low` is true,
and nowhere else (substring semantics, no word boundaries: the keys are what `in` tested).

Keys shorter than `SCANNED_FROM` characters ("mo", "n =", "rat") occur nearly everywhere: the
automaton would report them at every few characters, which costs more than testing them with
`in` (they are usually met at once). A `KeySet` keeps them apart and tests them with `in`
when none of its scanned keys is found. The keys found are remembered per text for one record
(the extractor calls `forget` when it starts the next): the field rules meet the same sentences,
and the record's whole text, again and again, but a new record's texts are new.
"""

from __future__ import annotations

import ahocorasick


def check_order(keys) -> tuple[str, ...]:
    """The keys of one set in the order to test them with `in`, the fewest that tell the same:
    a key that contains another is dropped (the shorter one is met wherever it is), and the
    shortest come first, since they are met most often and a set is met at its first key."""
    keys = set(keys)
    return tuple(sorted((k for k in keys if not any(o != k and o in k for o in keys)), key=lambda k: (len(k), k)))


class KeySet:
    """Keys of which a text must hold one: the scanned ones by number (`ids`), the short ones
    as `in` tests them (`short`)."""

    __slots__ = ("ids", "short", "keys")

    def __init__(self, ids: frozenset, short: tuple[str, ...], keys: tuple[str, ...]):
        self.ids, self.short, self.keys = ids, short, keys

    def met(self, low: str, got: frozenset) -> bool:
        """Does the lower-cased text, which holds the scanned keys `got`, hold one of these?"""
        return not self.ids.isdisjoint(got) or (bool(self.short) and any(map(low.__contains__, self.short)))

    def __repr__(self) -> str:
        return f"KeySet({self.keys!r})"


class Literals:
    """Literals looked for one by one (a pattern's opening literals): the short ones, always
    looked for, and the numbers of the scanned ones, looked for where a text holds them."""

    __slots__ = ("short", "ids")

    def __init__(self, short: tuple[str, ...], ids: frozenset):
        self.short, self.ids = short, ids


class KeyScan:
    """The registered keys, one automaton over them all, and the keys found in texts met lately."""

    SCANNED_FROM = 4       # characters: a shorter key is tested with `in`
    KEPT = 1 << 20         # characters of texts whose keys are remembered (then all forgotten)

    def __init__(self):
        self._ids: dict[str, int] = {}
        self._keys: list[str] = []       # by number
        self._automaton = None           # built when first needed, again after new keys
        self._found: dict[str, frozenset] = {}
        self._size = 0

    def number(self, key: str) -> int | None:
        """The number of one key (a lower-case literal), registering it when new; None for a
        key too short to scan for."""
        if len(key) < self.SCANNED_FROM:
            if not key:
                raise ValueError("an empty key is met by every text")
            return None
        i = self._ids.get(key)
        if i is None:
            i = self._ids[key] = len(self._ids)
            self._keys.append(key)
            self._automaton = None          # and what texts were found to hold is stale
            self._found.clear()
            self._size = 0
        return i

    def keyset(self, keys) -> KeySet:
        """A set of keys (lower-case literals), registering the new ones."""
        ordered = check_order(keys)
        short = tuple(k for k in ordered if self.number(k) is None)
        return KeySet(frozenset(self.number(k) for k in ordered if k not in short), short, ordered)

    def literals(self, literals) -> Literals:
        """Literals to be looked for one by one where a text may hold them (`held`)."""
        literals = tuple(literals)
        short = tuple(lit for lit in literals if self.number(lit) is None)
        return Literals(short, frozenset(self.number(lit) for lit in literals if lit not in short))

    def forget(self) -> None:
        """Forget the texts scanned so far (a new record begins)."""
        self._found.clear()
        self._size = 0

    def _build(self):
        automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for key, i in self._ids.items():
            automaton.add_word(key, i)
        automaton.make_automaton()
        self._automaton = automaton
        return automaton

    def found(self, low: str) -> frozenset:
        """The numbers of the registered keys that occur in the lower-cased text."""
        got = self._found.get(low)
        if got is not None:
            return got
        automaton = self._automaton or self._build()
        got = frozenset([i for _, i in automaton.iter(low)]) if self._ids else frozenset()
        if self._size > self.KEPT:
            self._found.clear()
            self._size = 0
        self._found[low] = got
        self._size += len(low)
        return got

    def holds(self, low: str, keys: KeySet) -> bool:
        """Does the lower-cased text hold one of the keys?"""
        return keys.met(low, self.found(low))

    def meets(self, low: str, key_sets) -> bool:
        """Does the lower-cased text hold a key of every set?"""
        got = self.found(low)
        for keys in key_sets:
            if not keys.met(low, got):
                return False
        return True

    def held(self, low: str, literals: Literals) -> list[str]:
        """Of `literals`, those the lower-cased text may hold: the short ones and the scanned
        ones it holds, in no particular order. Where an opening literal is absent, no `find`
        need look for it."""
        present = literals.ids & self.found(low)
        return [*literals.short, *map(self._keys.__getitem__, present)] if present else list(literals.short)


# one scan for the whole process: every cue's keys are found in the same pass
KEYS = KeyScan()
