"""Full text from generated PDFs: two-column reading order, sections, furniture removed,
hyphenation repaired, line numbers dropped; the extractor-shaped sections."""

from __future__ import annotations

import re

import pytest

from pipeline.parse.pdf import parse_pdf, pdf_sections_for_extractor
from tests.parse import pdf_factory as F


def norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def article():
    pdf, truth = F.two_column_article()
    return parse_pdf(pdf), truth


def test_sections_found_in_order(article):
    parsed, _ = article
    names = [s["name"] for s in parsed["sections"]]
    assert names[:1] == ["title"]
    for want in ("abstract", "introduction", "methods", "results", "discussion"):
        assert want in names
    order = [names.index(n) for n in ("abstract", "introduction", "methods", "results", "discussion")]
    assert order == sorted(order)
    pages = {s["name"]: s["page_start"] for s in parsed["sections"]}
    assert pages["introduction"] == 1 and pages["discussion"] >= 2


def test_two_column_text_is_exact_in_reading_order(article):
    parsed, truth = article
    got = {s["name"]: s["text"] for s in parsed["sections"]}
    assert got["title"] == truth["title"]
    assert norm(got["abstract"]) == norm(truth["abstract"])
    for name, text in truth["sections"].items():
        assert norm(got[name]) == norm(text), name


def test_hyphenation_repaired(article):
    parsed, truth = article
    assert len(truth["hyphenated"]) >= 5                     # the layout really broke words
    text = " ".join(s["text"] for s in parsed["sections"])
    for frag in truth["hyphenated"]:
        assert frag not in text.split(), frag                # no "percuta-" left behind
    assert "ultrasound-guided" in text                       # real hyphens kept


def test_running_header_footer_and_page_numbers_removed(article):
    parsed, _ = article
    text = " ".join(s["text"] for s in parsed["sections"])
    assert "Illustrative Journal" not in text
    assert not re.search(r"Page \d+ of \d+", text)


def test_margin_line_numbers_removed():
    pdf, truth = F.two_column_article(line_numbers=True)
    parsed = parse_pdf(pdf)
    got = {s["name"]: s["text"] for s in parsed["sections"]}
    for name, text in truth["sections"].items():
        assert norm(got[name]) == norm(text), name


def test_sections_for_extractor(article):
    parsed, _ = article
    secs = pdf_sections_for_extractor(parsed)
    assert all(set(s) == {"name", "text"} and s["text"].strip() for s in secs)
    assert {"methods", "results"} <= {s["name"] for s in secs}


def test_sample_corpus_pdfs_sections():
    from pathlib import Path
    root = Path(__file__).resolve().parents[2] / "pipeline/mirror/sample_corpus/pdfs"
    parsed = parse_pdf(root / "PPR900001.pdf")
    names = [s["name"] for s in parsed["sections"]]
    assert ["title", "front_matter", "abstract", "introduction", "methods", "results", "discussion",
            "conclusions", "references"] == names
    text = " ".join(s["text"] for s in parsed["sections"])
    assert "medRxiv preprint" not in text and "Page 1 of" not in text
    assert len(parsed["references"]) == 12 and parsed["references"][0]["doi"] == "10.5555/litmine.0001"
    rct = parse_pdf(root / "PPR900002.pdf")
    assert rct["tables"][0]["header"] == ["Outcome", "Cryoneurolysis (n = 36)", "RFA (n = 36)",
                                          "Difference (95% CI)", "p"]
    assert rct["tables"][0]["rows"][-1] == ["Procedural pain NRS, mean (SD)", "2.1 (1.4)", "4.4 (2.0)",
                                            "-2.3 (-3.1 to -1.5)", "<0.001"]
