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


def test_a_cue_the_record_lacks_is_not_searched_and_finds_what_it_would(extractor):
    from pipeline.extract import adverse_events, outcome, sample_size

    record = {"id": "c2", "title": "Cryoneurolysis for knee pain",
              "abstract": "The primary outcome was pain at 12 weeks. No pneumothorax occurred. "
                          "Sixty patients were included. İNTERCOSTAL cryoanalgesia was well tolerated."}
    ctx = Context(record, extractor.nlp(extractor.source_text(record)), [])
    assert ctx.lacks(sample_size.BACKGROUND_WORDS)          # no prevalence, incidence, per year ...
    assert not ctx.lacks(outcome.PRIMARY)
    cues = [sample_size.BACKGROUND_WORDS, outcome.PRIMARY, outcome.SAFETY, outcome.AIM,
            adverse_events.NAMED, adverse_events.EXPLICIT, sample_size.RANDOMISATION]
    for s in ctx.sentences:
        for cue in cues:
            found, expected = ctx.search(cue, s.text), cue.search(s.text)
            assert (found and found.span()) == (expected and expected.span()), (cue.pattern, s.text)
            assert [m.span() for m in ctx.finditer(cue, s.text)] == [m.span() for m in cue.finditer(s.text)]


def test_number_offsets_are_found_once_per_sentence(extractor):
    from pipeline.lexicon.numbers import number_starts

    record = {"id": "c3", "title": "Cryoneurolysis", "abstract": "Twelve patients were followed for 6 months."}
    ctx = Context(record, extractor.nlp(extractor.source_text(record)), [])
    sentence = ctx.main_sentences[1]
    first = ctx.number_starts(sentence)
    assert first == number_starts(sentence.text) == [0, 34]
    assert ctx.number_starts(sentence) is first                # shared by the rules, not recomputed


def test_number_offsets_cut_from_the_whole_text_find_every_count_and_duration(extractor):
    from pipeline.extract.sample_size import ARMS, COUNT, PARTS_SUM
    from pipeline.lexicon.durations import DURATION
    from pipeline.lexicon.patterns import finditer_at

    record = {"id": "c4", "title": "Twelve-month outcomes of cryoneurolysis in 40 knees",
              "abstract": "BACKGROUND: Pain lasts.\nMETHODS: 24 patients (eleven women and 13 men) were "
                          "followed for 6, 12 and 18 months. 3 were excluded; 21 completed.\nRESULTS:\n"
                          "18 patients improved at 1 year. Seventy-one percent of the sixty-two adults "
                          "had relief at week 2. None of the 5 withdrew.",
              "full_text": [{"name": "Methods", "text": "Forty adults were enrolled. 2 cohorts of 20 patients."}]}
    ctx = Context(record, extractor.nlp(extractor.source_text(record)), extractor._full_text_docs(record))
    assert len(ctx.sentences) >= 8
    for sentence in ctx.sentences:
        starts = ctx.number_starts(sentence)
        for rx in (COUNT, ARMS, PARTS_SUM, DURATION):
            assert [m.span() for m in finditer_at(rx, sentence.text, starts)] == \
                   [m.span() for m in rx.finditer(sentence.text)], (rx.pattern[:40], sentence.text)


def test_abbreviations_defined_in_the_abstract_give_their_long_forms(extractor):
    record = {"id": "c5", "title": "Cryoneurolysis",
              "abstract": "The infrapatellar branch of the saphenous nerve (IPBSN) was frozen. The IPBSN recovered."}
    ctx = Context(record, extractor.nlp(extractor.source_text(record)), [])
    found = ctx.abbreviations(None)
    assert [(short, long) for _, _, short, long in found] == \
           [("IPBSN", "infrapatellar branch of the saphenous nerve")] * 2
    later = ctx.main_sentences[-1]
    start = max(s for s, _, _, _ in found)                     # the later use
    assert ctx.long_form(later, start) == "infrapatellar branch of the saphenous nerve"
    assert ctx.abbreviations("Methods") == []                  # no such full-text section
