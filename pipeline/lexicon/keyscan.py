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

The answers are remembered per text, like `patterns.lowered`: the field rules meet the same
sentences, and the record's whole text, again and again.
"""

from __future__ import annotations

import ahocorasick


class KeyScan:
    """The registered keys, one automaton over them all, and the keys found in texts met lately."""

    KEPT = 1 << 20         # characters of texts whose keys are remembered (then all forgotten)

    def __init__(self):
        self._ids: dict[str, int] = {}
        self._automaton = None           # built when first needed, again after new keys
        self._found: dict[str, frozenset] = {}
        self._size = 0

    def number(self, key: str) -> int:
        """The number of one key (a lower-case literal), registering it when new."""
        i = self._ids.get(key)
        if i is None:
            if not key:
                raise ValueError("an empty key is met by every text")
            i = self._ids[key] = len(self._ids)
            self._automaton = None          # and what texts were found to hold is stale
            self._found.clear()
            self._size = 0
        return i

    def ids(self, keys) -> frozenset:
        """The numbers of `keys`, registering the new ones."""
        return frozenset(map(self.number, keys))

    def numbered(self, literals) -> tuple[tuple[str, int], ...]:
        """Each literal with its number, for `held`."""
        return tuple((lit, self.number(lit)) for lit in literals)

    @staticmethod
    def held(got: frozenset, numbered) -> list[str]:
        """The literals of `numbered` (from `numbered()`) that a text holds (`got`, from
        `found`), in their order: where an opening literal is absent, no `find` need look."""
        return [lit for lit, i in numbered if i in got]

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

    def holds(self, low: str, ids: frozenset) -> bool:
        """Does the lower-cased text hold one of the keys numbered `ids`?"""
        return not ids.isdisjoint(self.found(low))

    def meets(self, low: str, id_sets) -> bool:
        """Does the text hold a key of every set of numbers?"""
        got = self.found(low)
        for ids in id_sets:
            if ids.isdisjoint(got):
                return False
        return True


# one scan for the whole process: every cue's keys are found in the same pass
KEYS = KeyScan()
