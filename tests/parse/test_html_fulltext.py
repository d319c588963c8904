"""Full-text web pages: a real publisher's article page (BMC Trials 2014, CC BY 4.0) comes back
as sections, paragraphs and references with the page furniture left out, and tables in HTML
keep their header, spans, caption and notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.parse.fulltext_input import extractor_sections, locate
from pipeline.parse.html_fulltext import HtmlError, parse_html

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "html"


@pytest.fixture(scope="module")
def trials():
    return parse_html((FIXTURES / "bmc-trials-15-511.html").read_bytes())


def test_publisher_page_reads_as_sections_and_paragraphs(trials):
    assert trials["format"] == "html"
    assert trials["title"] == ("A core outcome set for clinical trials on non-specific low back pain: "
                               "study protocol for the development of a core domain set")
    names = [s["name"] for s in trials["sections"]]
    # h3 sections in page order; h4 subsections under "Methods/Design"; the abstract left out
    assert names[:3] == ["introduction", "methods", "methods / scope of this core outcome set"]
    assert "methods / delphi round one" in names and "discussion" in names and "trial status" in names
    assert not any(n.startswith("abstract") or n == "references" for n in names)
    text = {s["name"]: s for s in trials["sections"]}
    round_one = text["methods / delphi round one"]
    assert len(round_one["paragraphs"]) == 4           # four <p> under "Delphi round one"
    starts = ["In the first round, participants were initially given information",
              "Finally, participants were asked to assess whether they agreed",
              "The responses of round one were analysed and collated in the feedback report.",
              "The project team established a priori that domains"]      # <em>a priori</em>
    for (a, b), start in zip(round_one["paragraphs"], starts):
        assert round_one["text"][a:b].startswith(start)
    assert text["introduction"]["text"].startswith("Low back pain (LBP) is the leading global contributor")
    assert "[1,2]" in text["introduction"]["text"]      # citation links kept as the page prints them
    everything = " ".join(s["text"] for s in trials["sections"])
    for furniture in ("Email updates", "Viewing options", "Share this article", "Other articles by authors"):
        assert furniture not in everything


def test_references_and_licence(trials):
    refs = trials["references"]
    assert [r["number"] for r in refs] == list(range(1, 39))
    assert refs[0]["first_author"] == "Vos" and refs[-1]["first_author"] == "Prinsen"
    assert refs[-1]["text"].startswith("Prinsen CA, Vohra S, Rose MR")
    # the article's licence sentence wins over the page's dc.rights metadata (CC BY 2.0)
    assert trials["licence"]["url"] == "http://creativecommons.org/licenses/by/4.0"
    assert trials["tables"] == []                        # the dates box is layout, not data


def test_evidence_points_back_to_section_and_paragraph(trials):
    sections = extractor_sections(trials)
    round_two = next(s for s in sections if s["name"] == "methods / delphi round two")
    at = round_two["text"].index("feedback report")
    where = locate(trials, "methods / delphi round two", at)
    assert where["source"] == "full_text" and where["format"] == "html" and where["paragraph"] == 1


PAGE = """<!DOCTYPE html><html><head><title>x</title><script>var a = "<p>not text</p>";</script></head>
<body><nav><ul><li>Home</li><li>About</li></ul></nav>
<div class="sidebar"><p>Related articles: many of them, listed here for the reader.</p></div>
<article><h1>Cryoneurolysis of the genicular nerves: a cohort</h1>
<h2>Methods</h2><p>Forty patients were treated under ultrasound guidance, seen at 6 and 12 months.
<p>Pain was scored on a 0&ndash;10 scale; BMI was 27 kg/m<sup>2</sup>.
<h2>Results</h2>
<div class="table-wrap"><div class="label">Table 1. Outcomes by visit</div>
<table><thead><tr><th rowspan="2">Visit</th><th colspan="2">Pain (NRS)</th></tr>
<tr><th>mean</th><th>SD</th></tr></thead>
<tbody><tr><td>Baseline<td>6.8<td>1.2
<tr><td>6 months</td><td>3.1</td><td>1.9</td></tr></tbody></table>
<p class="table-foot">NRS, numeric rating scale.</p></div>
<p>Thirty-eight patients completed follow-up.</p>
<table><tr><td>layout</td></tr></table>
</article><footer><p>Copyright the publisher, all rights reserved, and more words here.</p></footer></body></html>"""


def test_tables_keep_header_spans_caption_and_notes():
    doc = parse_html(PAGE.encode())
    assert [s["name"] for s in doc["sections"]] == ["methods", "results"]
    methods = doc["sections"][0]["text"]
    assert methods.endswith("Pain was scored on a 0–10 scale; BMI was 27 kg/m².")
    assert len(doc["sections"][0]["paragraphs"]) == 2
    assert doc["sections"][1]["text"] == "Thirty-eight patients completed follow-up."
    table, = doc["tables"]
    assert table["label"] == "Table 1" and table["caption"] == "Table 1. Outcomes by visit"
    assert table["header"] == ["Visit", "Pain (NRS) mean", "Pain (NRS) SD"]
    assert table["rows"] == [["Baseline", "6.8", "1.2"], ["6 months", "3.1", "1.9"]]
    assert table["legend"] == "NRS, numeric rating scale."
    assert doc["title"] == "Cryoneurolysis of the genicular nerves: a cohort"


def test_a_page_without_article_text_is_refused():
    with pytest.raises(HtmlError, match="no article text"):
        parse_html(b"<html><body><nav><p>Home</p></nav><div>Sign in to read</div></body></html>")
