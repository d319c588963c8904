"""The sentence splitter finds line starts, section labels and stops as a reader would.

It tries its label and boundary patterns only at line starts and after ".", "?" and "!"; these
tests pin what a curator sees: the sentences and their sections, on layouts that put blank
lines, tabs and labels in awkward places.
"""

from __future__ import annotations

from pipeline.extract.nlp import line_starts, sentences


def _split(extractor, text: str) -> list[tuple[str, str | None]]:
    doc = extractor.nlp(text)
    return [(s.text, s.section) for s in sentences(doc, title_end=text.find("\n"))]


def test_line_starts_are_every_line_including_empty_ones():
    assert line_starts("a\n\n\tb\n") == [0, 2, 3, 6]
    assert line_starts("") == [0]


def test_labels_after_blank_lines_and_tabs_open_their_sections(extractor):
    text = ("Cryoneurolysis for knee pain\n\n\tBACKGROUND:\n  Pain persists. It hurts.\n"
            "METHODS Forty patients were treated, e.g. Lidocaine was not used.\n"
            "\nResults\nPain fell from 7.1 to 2.3 (p = .002). Why? It worked!\n"
            "CONCLUSIONSCryoneurolysis helps.")
    assert _split(extractor, text) == [
        ("Cryoneurolysis for knee pain", "title"),
        ("Pain persists.", "background"), ("It hurts.", "background"),
        ("Forty patients were treated, e.g. Lidocaine was not used.", "methods"),
        ("Pain fell from 7.1 to 2.3 (p = .002).", "results"), ("Why?", "results"),
        ("It worked!", "results"),
        ("Cryoneurolysis helps.", "conclusions"),
    ]


def test_the_docs_own_sentences_are_the_splitters(extractor):
    """Whoever reads `doc.sents` from `Extractor.nlp` (a notebook, a new rule) gets the sentences
    the rules read, and spaCy has no complaint about the sentence starts it was given."""
    import warnings

    text = "Cryoneurolysis of the genicular nerves\nBackground: Pain persists. We treated 12 knees."
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        doc = extractor.nlp(text)
    starts = [s.start_char for s in doc.sents]
    assert starts == [t.idx for t in doc if t.is_sent_start]
    assert [s.text.strip() for s in doc.sents] == [
        "Cryoneurolysis of the genicular nerves", "Background:", "Pain persists.", "We treated 12 knees."]
