"""The abbreviation detector keeps exactly the bracket candidates scispacy's own filter keeps."""

from __future__ import annotations

import pytest
from scispacy.abbreviation import filter_matches

TEXTS = [
    "Ultrasound-guided (US) cryoneurolysis of the infrapatellar branch (IPBSN) relieved pain (VAS).",
    "The US (ultrasound imaging) was used; CT (computed tomography) and (MRI (magnetic resonance)) too.",
    "(a) one (bc) two ((de)) three (f g h i j k l m n) four (p) five (2 mg) six (A1) seven (ABCDEFGHIJK).",
    "Pain (n = 12) fell (p < 0.05) in the cryo group (CRYO-1, CRYO-2) and (x)",
    "(IPBSN) opens the text, and unbalanced ( brackets ) ) ( stay (apart",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_bracket_candidates_kept_are_scispacys(extractor, text):
    detector = dict(extractor.nlp.pipeline)["litmine_abbreviations"]
    doc = extractor.nlp.make_doc(text)
    doc._.source_text = text
    insides = [(key, start + 1, end - 1) for key, start, end in detector._bracket_matches(doc)]
    assert insides, "each text has brackets to judge"
    ours = detector._filter_matches(insides, doc)
    theirs = filter_matches(insides, doc)
    assert [(lf.start, lf.end, sf.start, sf.end) for lf, sf in ours] == \
           [(lf.start, lf.end, sf.start, sf.end) for lf, sf in theirs]


def test_an_abbreviation_defined_in_brackets_gets_its_long_form(extractor):
    doc = extractor.nlp("Infrapatellar branch of the saphenous nerve (IPBSN) cryoneurolysis. The IPBSN was frozen.")
    found = {(a.text, a._.long_form.text) for a in doc._.abbreviations}
    assert found == {("IPBSN", "Infrapatellar branch of the saphenous nerve")}
    assert len(doc._.abbreviations) == 2       # the definition and the later use
