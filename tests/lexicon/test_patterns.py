"""Cue patterns find exactly what plain regular expressions find, only faster.

`compile_cue` skips texts that lack every literal a pattern needs, and `CueAlternation`
searches only the alternatives whose literals occur. Both must be invisible in the results:
the same matches, in the same order, with the same alternative numbers.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from pipeline.lexicon.alternations import cue_alternation
from pipeline.lexicon.patterns import Cue, check_order, compile_cue, required_key_sets, required_keys

VOCAB = Path(__file__).resolve().parents[2] / "pipeline" / "lexicon" / "vocab"

SENTENCES = [
    "Forty-two patients underwent ultrasound-guided cryoneurolysis of the genicular nerves.",
    "We randomly assigned 60 adults to percutaneous cryoablation or sham treatment.",
    "PAIN SCORES FELL FROM 7.1 TO 2.3 AT THREE MONTHS AFTER THE PROCEDURE.",
    "this retrospective cohort study reviewed the charts of 118 consecutive cases.",
    "A systematic review and meta-analysis of randomised controlled trials was performed.",
    "Under CT guidance, the intercostal nerves T4-T8 were frozen for 2 minutes each.",
    "No serious adverse events occurred; two patients reported transient numbness.",
    "The lateral femoral cutaneous nerve was identified with a nerve stimulator.",
    "Follow-up lasted a median of 14 months (range 6-30).",
    "GLAſS and ıce were used in the coıd chamber.",
    "CRYOABLATİON OF THE İNTERCOSTAL NERVES WAS DONE UNDER CT GUİDANCE İN 12 PATİENTS.",
    "Spasticity of the elbow flexors improved after cryoneurotomy of the musculocutaneous nerve.",
    "We describe a case of phantom limb pain treated by cryoanalgesia of the sciatic nerve.",
]


def _texts(seed: int = 3, n: int = 300) -> list[str]:
    """Our sentences, recombined, re-cased and joined, so that cues meet each other."""
    rnd = random.Random(seed)
    words = " ".join(SENTENCES).split()
    out = list(SENTENCES)
    for i in range(n):
        text = " ".join(rnd.choice(words) for _ in range(rnd.randint(3, 40)))
        out.append(text.upper() if i % 4 == 0 else text.lower() if i % 4 == 1 else text)
    return out


def _spans(matches) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


def test_required_keys_are_what_every_match_must_contain():
    assert required_keys(r"(?:very\s+)?large") == {"large"}          # an optional part needs nothing
    assert required_keys(r"(?=foo)bar") == {"bar"}                    # a lookahead is not in the match
    assert required_keys(r"cryo(?:neurolysis|ablation)") in ({"cryo"}, {"neurolysis", "ablation"})
    assert required_keys(r"\d+\s*percent") == {"percent"}
    assert required_keys(r"\d+\s*%") is None                         # one character: met everywhere
    assert required_keys(r"\d+") is None                              # nothing literal to look for
    assert required_keys(r"foo|\w+") is None                          # one branch needs nothing


def test_every_literal_a_match_needs_is_checked():
    # "patient" alone is in most abstracts; "single" and "patient" together are rare
    assert set(required_key_sets(r"\ba\s+single\s+patient\b")) == {frozenset({"single"}), frozenset({"patient"})}
    cue = compile_cue(r"\ba\s+single\s+patient\b")
    assert cue.search("a patient with a single lesion") is None
    assert cue.search("A single patient was treated").group(0) == "A single patient"


def test_a_key_set_is_checked_with_the_fewest_keys_shortest_first():
    # "outpatients" holds "patients": wherever it occurs, "patients" does too
    assert check_order(["outpatients", "women", "patients", "men", "dogs"]) == ("men", "dogs", "patients")
    assert check_order(("b", "a", "a")) == ("a", "b")
    # the kept keys say the same as all of them, on any text
    keys = ["outpatients", "women", "patients", "men", "sheep", "inpatients"]
    for text in ("ten women", "two outpatients", "a sheepdog", "no one", "menthol", ""):
        assert any(k in text for k in check_order(keys)) == any(k in text for k in keys)


def test_a_cue_meets_upper_case_and_folded_letters_like_re_ignorecase():
    cue = compile_cue(r"\bglass\b")
    assert isinstance(cue, Cue)
    assert cue.search("a GLAſS door") and re.search(r"\bglass\b", "a GLAſS door", re.I)
    assert compile_cue(r"\bice\b").search("thin ıce")
    assert cue.search("a window") is None
    # dotted capital I, as in Turkish-set capitals: str.lower() makes it two characters
    nerve = compile_cue(r"\bintercostal\s+nerves?\b")
    text = "CRYOABLATION OF THE İNTERCOSTAL NERVES AFTER THORACOTOMY"
    assert re.search(nerve.pattern, text, re.I)
    assert nerve.search(text).span() == re.search(nerve.pattern, text, re.I).span()


def _cue_patterns() -> list[tuple[str, int]]:
    """Every cue of the shipped vocabularies, and the extractor's own compiled cues."""
    from pipeline.extract import (adverse_events, design, follow_up, guidance, indication,
                                  outcome, sample_size, targets)
    found = []
    for name in ("design_cues", "guidance"):
        for cues in json.loads((VOCAB / f"{name}.json").read_text())["cues"].values():
            found.extend((c[0], re.I) for c in cues)
    for module in (adverse_events, design, follow_up, guidance, indication, outcome, sample_size, targets):
        for value in vars(module).values():
            if isinstance(value, Cue):
                found.append((value.regex.pattern, value.flags))
    return found


def test_every_cue_finds_what_the_plain_pattern_finds():
    patterns = _cue_patterns()
    assert len(patterns) > 100
    texts = _texts()
    for pattern, flags in patterns:
        plain, cue = re.compile(pattern, flags), compile_cue(pattern, flags)
        for text in texts:
            assert _spans(cue.finditer(text)) == _spans(plain.finditer(text)), (pattern, text)
            assert bool(cue.search(text)) == bool(plain.search(text)), (pattern, text)


@pytest.mark.parametrize("alternatives, text", [
    (["cryo", "cryoablation"], "cryoablation and cryo"),            # a tie goes to the first
    (["cryoablation", "cryo"], "cryoablation and cryo"),
    (["ab", "bc", "abc"], "abcabc bc ab"),                            # overlaps resume at the end
    (["nerve block", "block"], "block nerve block"),
    (["[ck]ryo\\w*", "freez\\w+"], "Freezing, then KRYO-therapy"),
])
def test_an_alternation_searched_by_parts_is_the_alternation(alternatives, text):
    whole = re.compile("|".join(f"({a})" for a in alternatives), re.I)
    parts = cue_alternation(alternatives)
    assert [(m.span(), m.lastindex) for m in parts.finditer(text)] == \
           [(m.span(), m.lastindex) for m in whole.finditer(text)]


def test_the_design_and_guidance_alternations_match_the_whole_alternation():
    from pipeline.lexicon.designs import design_cues
    from pipeline.lexicon.modalities import guidance_cues
    from pipeline.lexicon.vocabulary import load_vocab

    texts = _texts(seed=11, n=150)
    cues = design_cues(load_vocab("design_cues")) + guidance_cues(load_vocab("guidance"))
    wholes = [(alternation, re.compile(alternation.pattern, re.I)) for _, alternation, _ in cues]
    # every alternation in turn on one text, as the extractor tries them: what one has looked
    # up in the text must not mislead the next, nor leak into the next text
    for text in texts:
        for alternation, whole in wholes:
            assert [(m.span(), m.lastindex) for m in alternation.finditer(text)] == \
                   [(m.span(), m.lastindex) for m in whole.finditer(text)], (alternation.pattern, text)


def test_a_key_found_in_one_text_is_not_taken_as_found_in_the_next():
    review = cue_alternation(["systematic review", "narrative review"])
    assert [m.lastindex for m in review.finditer("A narrative review.")] == [2]
    assert list(review.finditer("A narrative account.")) == []       # "review" was in the last text
    assert [m.lastindex for m in review.finditer("A SYSTEMATIC REVIEW.")] == [1]


def test_an_alternative_that_matches_nothing_is_refused():
    with pytest.raises(ValueError):
        cue_alternation(["cryo", "x?"])


def test_a_keyed_alternation_finds_what_the_whole_alternation_finds():
    from pipeline.extract.direction import IMPROVEMENT

    whole = re.compile("|".join(f"(?:{rx.pattern})" for _, rx in IMPROVEMENT.parts), re.I)
    for text in _texts(seed=5, n=200) + ["Pain was reduced, and function improved.", "No relief."]:
        found = IMPROVEMENT.finditer(text)
        first = whole.search(text)
        # the search answers with the first match's start, as the clause reader uses it
        assert (IMPROVEMENT.search(text) is None) == (first is None) == (not found), text
        if first:
            assert IMPROVEMENT.search(text).start() == found[0].start() == first.start(), text
