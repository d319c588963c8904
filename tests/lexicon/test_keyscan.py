"""The key scan finds, in one pass, the keys `key in text` would find one by one.

Cues and rules skip their regexes on a text that lacks their keys, so a key the scan missed
would silently drop a value, and one it invented would only cost time: the scan must agree
with `in` exactly, overlapping keys, keys inside words, short keys tested apart and non-ASCII
text included.
"""

from __future__ import annotations

import random

from pipeline.lexicon.keyscan import KeyScan

KEYS = ["patient", "patients", "ent", "pain free", "n =", "d ", "mo", "≥", "cryo", "kryo", "ſ", "follow-up",
        "rat", "ratio", "rats", "no ", "not ", "months"]
TEXTS = [
    "Forty patients were enrolled (n = 40).",
    "pain free at 3 mo; follow-up of 12 months",
    "the ratio of rats to mice",
    "not significant, no difference",
    "cryoneurolysis ≥ 6 months",
    "",
    "gla\u017fs",
    "kryoablation of 1 d duration",
]


def _by_in(text: str, keys: list[str]) -> set[str]:
    return {k for k in keys if k in text}


def _by_scan(scan: KeyScan, text: str, keys: list[str]) -> set[str]:
    return {k for k in keys if scan.holds(text, scan.keyset([k]))}


def test_the_scan_finds_what_in_finds_overlapping_keys_included():
    scan = KeyScan()
    scan.keyset(KEYS)
    for text in TEXTS:
        assert _by_scan(scan, text, KEYS) == _by_in(text, KEYS), text
    # "patients" holds "patient" and "ent", "ratios" holds "ratio" and "rat": each is found in its own right
    assert _by_scan(scan, "patients", KEYS) == {"patient", "patients", "ent"}
    assert _by_scan(scan, "ratios", KEYS) == {"rat", "ratio"}


def test_random_texts_agree_with_in():
    rnd = random.Random(7)
    alphabet = "patiensrocym fdlw-=≥n"
    scan = KeyScan()
    sets = [scan.keyset(KEYS[i:i + 3]) for i in range(0, len(KEYS), 3)]
    for _ in range(500):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 60)))
        assert _by_scan(scan, text, KEYS) == _by_in(text, KEYS), text
        for keys in sets:   # a set of long and short keys is met when the text holds any of them
            assert scan.holds(text, keys) == any(k in text for k in keys.keys), (text, keys)


def test_short_keys_are_tested_apart_and_long_ones_scanned():
    scan = KeyScan()
    keys = scan.keyset(["mo", "months", "wk"])
    # "months" holds "mo": the set is met by "mo" alone, so only the short keys are kept
    assert keys.keys == ("mo", "wk") and keys.short == ("mo", "wk") and not keys.ids
    nouns = scan.keyset(["patient", "case"])
    assert nouns.short == () and len(nouns.ids) == 2


def test_holds_and_meets_read_key_sets():
    scan = KeyScan()
    units, nouns = scan.keyset(["month", "week"]), scan.keyset(["patient", "case"])
    assert scan.holds("at 6 weeks", units) and not scan.holds("at 6 weeks", nouns)
    assert scan.meets("20 patients at 6 months", [units, nouns])
    assert not scan.meets("20 patients", [units, nouns])
    assert scan.meets("anything", [])                       # no set to meet


def test_held_keeps_the_opening_literals_a_text_may_hold():
    scan = KeyScan()
    literals = scan.literals(["rat", "mouse", "sheep", "dog"])
    # "mouse" is scanned for and absent; "rat" and "dog" are too short to scan for: always kept
    assert sorted(scan.held("a sheep and a rat", literals)) == ["dog", "rat", "sheep"]
    assert sorted(scan.held("no animals", literals)) == ["dog", "rat"]
    # what a cue then finds at the literals' places is what it finds at all of them
    text = "two sheep, a mouse and a rat; sheep again"
    everywhere = sorted(i for lit in ["rat", "mouse", "sheep", "dog"] for i in range(len(text)) if text.startswith(lit, i))
    here = sorted(i for lit in scan.held(text, literals) for i in range(len(text)) if text.startswith(lit, i))
    assert here == everywhere


def test_keys_registered_after_a_text_was_scanned_are_found_in_it():
    # a rule built later (a custom vocabulary) adds keys: texts already scanned are scanned again
    scan = KeyScan()
    scan.keyset(["patient"])
    text = "twelve volunteers and two patients"
    assert scan.holds(text, scan.keyset(["patient"]))
    assert scan.holds(text, scan.keyset(["volunteer"]))


def test_the_same_key_keeps_its_number():
    scan = KeyScan()
    assert scan.keyset(["cryo", "freez"]).ids == scan.keyset(["freez", "cryo"]).ids == scan.keyset(["cryo", "freez", "cryo"]).ids
