"""Trying a pattern only where its matches can begin finds what a full scan finds.

`anchors.opening_literals` reads the words every match of a cue begins with, and
`numbers.number_starts` the places a number can begin; the extractor then tries its patterns
there alone. A start missed would lose a match silently, so these tests compare against the
plain scan on texts built to contain near misses: upper case, folded letters ("ſ", "ı"),
a letter whose lower case is longer ("İ"), number words inside other words ("none").
"""

from __future__ import annotations

import random
import re

from pipeline.lexicon.anchors import first_match_at, literal_starts, matches_at, opening_literals
from pipeline.lexicon.durations import DURATION
from pipeline.lexicon.numbers import number_starts
from pipeline.lexicon.patterns import Cue, _parsed, compile_cue, finditer_at

WORDS = ("Forty-two rats and twelve mice were frozen ; none of the 3 sheep , a hundred pigs , "
         "2,500 cadavers , Sixty patients ( 15 % ) , 6-month follow-up , 1 , 6 , and 12 months , "
         "no significant difference , did not reduce pain , not reduced , ſix weeks , tıme , "
         "İntercostal nerves , FORTY DOGS , seventy-one adults , 4.5 years , one-year , "
         "cryoneurolysis , the Rabbit model , noted ; at ELEVEN weeks , primates ,").split()


def _texts(seed: int, n: int = 400) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(1, 30)))
        out.append(text.upper() if i % 5 == 0 else text.lower() if i % 5 == 1 else text)
    return out


def _opening(pattern: str, flags: int = re.I):
    return opening_literals(_parsed(pattern, flags))


def test_the_words_a_match_opens_with_are_read_from_the_pattern():
    assert set(_opening(r"\b(?:rats?|mice|animal\s+models?)\b")) == {"rat", "mice", "animal"}
    assert _opening(r"(?<![\w.])cryo(?:neurolysis|ablation)") == ("cryoablation", "cryoneurolysis")
    assert set(_opening(r"\b(?:did|does)\s+not")) == {"did", "does"}     # sre makes it "d(?:id|oes)"
    assert set(_opening(r"(?:very\s+)?large")) == {"very", "large"}   # an optional start, or what follows
    assert _opening(r"(?:very\s+)*large") is None         # a repeated start: too many to tell
    assert _opening(r"(?:a\s+)?review") is None           # "a" is too short to be worth it
    assert _opening(r"\bno\s+pain|\bnot\s+reduced") is None   # "no" is too short to be worth it
    assert _opening(r"foo|\w+bar") is None                 # one branch opens with anything
    assert _opening(r"pain|painful") == ("pain",)          # "painful" begins where "pain" does


def test_a_cue_tried_at_its_openings_finds_what_its_scan_finds():
    patterns = [r"\b(?:rats?|mice|sheep|pigs?|dogs?|rabbits?|primates?|cadavers?)\b",
                r"\b(?:did\s+not|does\s+not)\s+(?:reduce|improve)\w*|\bnot\s+reduced",
                r"(?:twelve|eleven)\s+(?:weeks|mice)", r"\bnone\b[^,]{0,20}",
                r"\bintercostal\s+nerves?"]
    for pattern in patterns:
        cue = compile_cue(pattern)
        assert isinstance(cue, Cue) and cue.opening, pattern
        plain = Cue(cue.regex, [set(k.keys) for k in cue.key_sets])   # no openings
        for text in _texts(seed=5):
            assert [m.span() for m in cue.finditer(text)] == [m.span() for m in plain.finditer(text)], (pattern, text)
            found, expected = cue.search(text), plain.search(text)
            assert (found and found.span()) == (expected and expected.span()), (pattern, text)


def test_anchored_attempts_resume_after_each_match():
    regex = re.compile(r"ab(?:ab)?", re.I)
    text = "ababab xab"
    starts = literal_starts(text.lower(), ("ab",))
    assert starts == [0, 2, 4, 8]
    assert [m.span() for m in matches_at(regex, text, starts)] == [(0, 4), (4, 6), (8, 10)]
    assert first_match_at(regex, text, starts[1:]).span() == (2, 6)


def test_every_number_a_count_or_duration_opens_with_is_a_start():
    count = compile_cue(r"(?<![\w.,-])(?:\d+|forty(?:-two)?|twelve|sixty|seventy(?:-one)?|eleven|ſix|three)\s+\w+", re.I)
    for text in _texts(seed=9):
        starts = number_starts(text)
        if starts is None:
            continue
        for rx in (count, DURATION):
            assert [m.span() for m in finditer_at(rx, text, starts)] == [m.span() for m in rx.finditer(text)], text


def test_number_starts_are_not_guessed_where_offsets_or_words_shift():
    assert number_starts("a hundred patients") is None        # the number begins at "a"
    # "İ" lower-cases to two characters; folded to "i" as re.I reads it, offsets stay put
    assert number_starts("İntercostal block in 3 patients") == [21]
    assert number_starts("SİXTY patients") == [0]
    assert number_starts("Sixty patients and 4 dogs") == [0, 19]
    assert number_starts("ſix weeks") == [0]                   # re.I reads "ſ" as "s"


def test_a_small_class_opens_with_each_of_its_letters():
    assert set(_opening(r"\b(?:[ck]ryo[\w-]*|freez\w*)")) == {"cryo", "kryo", "freez"}
    assert _opening(r"[a-z]ryo") is None                   # a wide class: anything
