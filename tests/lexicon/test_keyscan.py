"""The key scan finds, in one pass, the keys `key in text` would find one by one.

Cues and rules skip their regexes on a text that lacks their keys, so a key the scan missed
would silently drop a value, and one it invented would only cost time: the scan must agree
with `in` exactly, overlapping keys, keys inside words and non-ASCII text included.
"""

from __future__ import annotations

import random

from pipeline.lexicon.keyscan import KeyScan

KEYS = ["patient", "patients", "ent", "pain free", "n =", "d ", "mo", "≥", "cryo", "kryo", "ſ", "follow-up",
        "rat", "ratio", "no ", "not "]
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
    got = scan.found(text)
    return {k for k in keys if not scan.ids([k]).isdisjoint(got)}


def test_the_scan_finds_what_in_finds_overlapping_keys_included():
    scan = KeyScan()
    scan.ids(KEYS)
    for text in TEXTS:
        assert _by_scan(scan, text, KEYS) == _by_in(text, KEYS), text
    # "patients" holds "patient" and "ent", "ratio" holds "rat": each is found in its own right
    assert _by_scan(scan, "patients", KEYS) == {"patient", "patients", "ent"}
    assert _by_scan(scan, "ratio", KEYS) == {"rat", "ratio"}


def test_random_texts_agree_with_in():
    rnd = random.Random(7)
    alphabet = "patiensrocym fdlw-=≥n"
    scan = KeyScan()
    scan.ids(KEYS)
    for _ in range(500):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 60)))
        assert _by_scan(scan, text, KEYS) == _by_in(text, KEYS), text


def test_holds_and_meets_read_key_sets():
    scan = KeyScan()
    units, nouns = scan.ids(["month", "week"]), scan.ids(["patient", "case"])
    assert scan.holds("at 6 weeks", units) and not scan.holds("at 6 weeks", nouns)
    assert scan.meets("20 patients at 6 months", [units, nouns])
    assert not scan.meets("20 patients", [units, nouns])
    assert scan.meets("anything", [])                       # no set to meet


def test_keys_registered_after_a_text_was_scanned_are_found_in_it():
    # a rule built later (a custom vocabulary) adds keys: texts already scanned are scanned again
    scan = KeyScan()
    scan.ids(["patient"])
    text = "twelve volunteers and two patients"
    assert _by_scan(scan, text, ["patient"]) == {"patient"}
    late = scan.ids(["volunteer"])
    assert scan.holds(text, late)


def test_the_same_key_keeps_its_number():
    scan = KeyScan()
    assert scan.ids(["cryo", "freez"]) == scan.ids(["freez", "cryo"]) == scan.ids(["cryo", "freez", "cryo"])
    assert scan.ids([]) == frozenset()
