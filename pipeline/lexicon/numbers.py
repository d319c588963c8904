"""Numbers as clinical abstracts write them: digits, "1,024", and number words.

"Eighteen patients", "Twenty-six patients", "One hundred patients", "a single patient".
`NUMBER` is a regex fragment (case-insensitive) and `parse_number` turns a match into an int.
"""

from __future__ import annotations

import re

from .keyscan import KEYS
from .patterns import lowered

UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
         "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
         "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
            "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
            "eighteenth": 18, "twenty-fourth": 24}

_UNIT = "|".join(sorted(UNITS, key=len, reverse=True))
_TEN = "|".join(TENS)
_SMALL = rf"(?:(?:{_TEN})(?:[- ](?:{_UNIT}))?|{_UNIT})"
WORD_NUMBER = rf"(?:{_SMALL}(?:\s+hundred(?:\s+(?:and\s+)?{_SMALL})?)?|(?:a|one)\s+hundred(?:\s+(?:and\s+)?{_SMALL})?)"
DIGIT_NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?)"
NUMBER = rf"(?:{DIGIT_NUMBER}|{WORD_NUMBER})"
ORDINAL = r"(?:\d+(?:st|nd|rd|th)|" + "|".join(sorted(ORDINALS, key=len, reverse=True)) + ")"

_word_re = re.compile(r"[a-z]+")
_DIGIT_RUN = re.compile(r"\d+")
# every number word begins with one of these ("sixty" where "six" does; a "hundred" may follow
# "a", which it does not)
_WORD_STARTS = tuple(w for w in sorted(set(UNITS) | set(TENS))
                     if not any(w != v and w.startswith(v) for v in set(UNITS) | set(TENS)))
_WORD_KEYS = KEYS.literals(_WORD_STARTS)


def number_starts(text: str) -> list[int] | None:
    """Offsets where a `NUMBER` not preceded by a letter or digit can begin: the first digit of
    each run of digits and every occurrence of a number word (case as `re.I` sees it), sorted;
    a superset, so a pattern that opens with `(?<![\w...])NUMBER` can be tried at these alone
    (`patterns.finditer_at`). None when they cannot be told cheaply: "a hundred" starts at the
    "a", and a letter whose lower case is longer shifts the offsets."""
    low = lowered(text)
    if len(low) != len(text) or "hundred" in low:
        return None
    starts = [m.start() for m in _DIGIT_RUN.finditer(text)]
    for word in KEYS.held(low, _WORD_KEYS):     # not the words the text lacks
        i = low.find(word)
        while i >= 0:
            starts.append(i)
            i = low.find(word, i + 1)
    starts.sort()
    return starts


def parse_number(text: str) -> float | None:
    """'Twenty-six' -> 26, 'one hundred and five' -> 105, '1,024' -> 1024, '2.5' -> 2.5."""
    t = text.strip().lower()
    if not t:
        return None
    if t[0].isdigit():
        try:
            v = float(t.replace(",", ""))
        except ValueError:
            return None
        return int(v) if v.is_integer() else v
    if t in ORDINALS:
        return ORDINALS[t]
    m = re.fullmatch(r"(\d+)(?:st|nd|rd|th)", t)
    if m:
        return int(m.group(1))
    total, current = 0, 0
    for w in _word_re.findall(t):
        if w in UNITS:
            current += UNITS[w]
        elif w in TENS:
            current += TENS[w]
        elif w == "hundred":
            current = (current or 1) * 100
        elif w == "thousand":
            total += (current or 1) * 1000
            current = 0
        elif w in ("and", "a"):
            continue
        else:
            return None
    return total + current
