"""A target's key: the same nerve named in singular or plural, in any case or spacing, is one target."""

from __future__ import annotations

from pipeline.lexicon.nerves import singular


def test_plural_words_become_singular_and_spacing_and_case_are_evened():
    assert singular("Genicular  Nerves") == "genicular nerve"
    assert singular("medial branches of the dorsal rami") == "medial branch of the dorsal rami"
    assert singular(" stellate ganglia\t") == "stellate ganglion"
    assert singular("sacroiliac joints") == "sacroiliac joint"
    assert singular("intercostal neuromas and nerves") == "intercostal neuroma and nerve"


def test_only_whole_plural_words_change():
    assert singular("subnerves") == "subnerves"                 # not a word of its own
    assert singular("nervesbranches") == "nervesbranches"
    assert singular("sural nerve") == "sural nerve"             # already singular
