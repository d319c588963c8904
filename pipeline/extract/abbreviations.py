"""`litmine_abbreviations`: scispacy's AbbreviationDetector (Schwartz-Hearst) with the same
output, found faster.

scispacy finds candidate "( ... )" spans with a spaCy Matcher pattern `( + )`, which yields every
pair of an opening and a later closing bracket (quadratic in the number of brackets) and walks
every token in Python, then keeps only the spans of at most 8 tokens. Here the bracket tokens are
located with one numpy comparison over the ORTH array and only pairs of at most 8 inner tokens
are built, in the Matcher's order (by end, then by start descending), so `filter_matches` and
`find_matches_for` see exactly the candidates they saw before. Later uses of each defined short
form (scispacy's "global matcher") are found the same way, on the ORTH array, and returned in
the Matcher's order (by start, then end). The candidates are filtered as scispacy's
`filter_matches` does, token by token, with Spans made only for those kept.
"""

from __future__ import annotations

from collections import defaultdict

import numpy
from scispacy.abbreviation import AbbreviationDetector, find_abbreviation
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span

MAX_INNER = 8   # filter_matches drops candidates with more inner tokens


def _text_of(doc: Doc) -> str:
    """The text the doc was made from (the record's own, when the pipeline kept it)."""
    text = doc._.source_text
    return doc.text if text is None else text


class FastAbbreviationDetector(AbbreviationDetector):
    def __init__(self, nlp: Language, name: str = "litmine_abbreviations"):
        super().__init__(nlp, name)
        self._open = nlp.vocab.strings.add("(")
        self._close = nlp.vocab.strings.add(")")

    def _bracket_matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(key, start, end) for "(" ... ")" with 1-8 tokens inside, in Matcher order."""
        if "(" not in _text_of(doc):
            return []
        orth = self._orth = doc.to_array(ORTH)
        opens = numpy.flatnonzero(orth == self._open).tolist()
        if not opens:
            return []
        closes = numpy.flatnonzero(orth == self._close).tolist()
        pairs = []
        for j in closes:
            for i in reversed(opens):          # start descending for one end
                if i >= j - 1:
                    continue
                if j - i - 1 > MAX_INNER:
                    break
                pairs.append((0, i, j + 1))
        return pairs

    def __call__(self, doc: Doc) -> Doc:
        matches = self._bracket_matches(doc)
        if not matches:
            return doc
        matches_no_brackets = [(x[0], x[1] + 1, x[2] - 1) for x in matches]
        filtered = self._filter_matches(matches_no_brackets, doc)
        occurences = self.find_matches_for(filtered, doc)
        if not occurences:
            return doc
        found = doc._.abbreviations
        for long_form, short_forms in occurences:
            for short in short_forms:
                short._.long_form = long_form
                found.append(short)
        return doc

    def _filter_matches(self, matches: list[tuple[int, int, int]], doc: Doc) -> list[tuple[Span, Span]]:
        """scispacy's `filter_matches`, read token by token: (long form candidate, short form
        candidate) for each bracket's inside that can hold either; Spans are made only for the
        candidates kept (making one per candidate, as scispacy does, was most of its cost)."""
        orth, text = self._orth, _text_of(doc)
        candidates = []
        for _, start, end in matches:
            if end - start > 8 or start == 1:       # long insides, and brackets opening the doc
                continue
            if end - start > 3:                     # "<short> ( <long form> )": one word before
                short, long = (start - 2, start - 1), (start, end)
                if _unbalanced(orth[start:end].tolist(), self._open, self._close):
                    continue
            else:                                   # "<long form> ( <short> )": this many words before
                short = (start, end)
                chars = sum(len(doc[i]) for i in range(start, end))
                long = (max(start - min(chars + 5, chars * 2) - 1, 0), start - 1)
            if _short_form([doc[i] for i in range(*short)], text):
                candidates.append((doc[long[0]:long[1]], doc[short[0]:short[1]]))
        return candidates

    def find_matches_for(self, filtered: list[tuple[Span, Span]], doc: Doc) -> list[tuple[Span, set[Span]]]:
        if not filtered:
            return []
        rules, patterns = {}, {}
        all_occurences: dict[Span, set[Span]] = defaultdict(set)
        already_seen_long: set[str] = set()
        already_seen_short: set[str] = set()
        for long_candidate, short_candidate in filtered:
            short, long = find_abbreviation(long_candidate, short_candidate)
            new_long = long.text not in already_seen_long if long else False
            new_short = short.text not in already_seen_short
            if long is not None and new_long and new_short:
                already_seen_long.add(long.text)
                already_seen_short.add(short.text)
                all_occurences[long].add(short)
                rules[long.text] = long
                patterns[long.text] = [int(self._orth[t.i]) for t in short]
        if not rules:
            return []
        for key, start, end in self._global_matches(patterns):
            all_occurences[rules[key]].add(doc[start:end])
        return list(all_occurences.items())

    def _global_matches(self, patterns: dict[str, list[int]]) -> list[tuple[str, int, int]]:
        """Every occurrence of each short form's token sequence, in the Matcher's order."""
        orth, out = self._orth, []
        for key, ids in patterns.items():
            n = len(ids)
            for i in numpy.flatnonzero(orth[: len(orth) - n + 1] == ids[0]).tolist():
                if n == 1 or orth[i:i + n].tolist() == ids:
                    out.append((key, i, i + n))
        out.sort(key=lambda m: (m[1], m[2]))
        return out


def _unbalanced(orths: list[int], open_id: int, close_id: int) -> bool:
    """Do the tokens close a bracket they did not open, or leave one open?"""
    depth = 0
    for o in orths:
        if o == open_id:
            depth += 1
        elif o == close_id:
            if not depth:
                return True
            depth -= 1
    return depth != 0


def _short_form(tokens: list, text: str) -> bool:
    """scispacy's `short_form_filter` for a run of tokens of `text` (the doc's text), without
    making their Span: every token 2-9 characters long, at least half the run's characters
    letters, and a letter first."""
    if not all(2 <= len(t) < 10 for t in tokens):
        return False
    span = text[tokens[0].idx: tokens[-1].idx + len(tokens[-1])]
    return sum(c.isalpha() for c in span) / len(span) >= 0.5 and span[0].isalpha()


@Language.factory("litmine_abbreviations")
def make_abbreviations(nlp: Language, name: str) -> FastAbbreviationDetector:
    return FastAbbreviationDetector(nlp, name)
