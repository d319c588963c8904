"""What the field rules share about one record: its sentences and its lower-cased text."""

from __future__ import annotations

from pipeline.extract.extractor import Context


def test_the_lower_cased_text_holds_the_title_abstract_and_full_text(extractor):
    record = {"id": "c1", "title": "Genicular Nerve Cryoneurolysis", "abstract": "We treated KNEE pain.",
              "full_text": [{"name": "Methods", "text": "The RADIAL nerve was spared."}]}
    doc = extractor.nlp(extractor.source_text(record))
    ctx = Context(record, doc, extractor._full_text_docs(record))
    assert "genicular nerve" in ctx.lower and "knee pain" in ctx.lower and "radial nerve" in ctx.lower
    # every sentence, lower-cased, is part of it: a word absent from it is in no sentence
    assert all(s.text.lower() in ctx.lower for s in ctx.sentences)


def test_a_nerve_adjective_is_read_only_where_a_sentence_names_one(extract):
    out = extract("We froze the intercostal and pectoral nerves. The median follow-up was 6 months.",
                  title="Cryoneurolysis of chest wall nerves")
    assert sorted(out["targets"]) == ["intercostal nerve", "pectoral nerve"]
