"""JATS full texts: real PMC documents, the shapes PMC and Europe PMC send, and hostile XML."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.parse.jats import JatsError, parse_jats

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "jats"


@pytest.fixture(scope="module")
def ohip():
    return parse_jats((FIXTURES / "bmc-oral-health-8-11.nxml").read_bytes())


def section(parsed, title):
    return next(s for s in parsed["sections"] if s["title"] == title)


def test_real_article_keeps_its_sections_paragraphs_and_ids(ohip):
    assert ohip["open_access"] is True
    assert ohip["ids"] == {"pmid": "18405359", "pmcid": "PMC2329613", "doi": "10.1186/1472-6831-8-11"}
    assert ohip["licence"]["url"] == "http://creativecommons.org/licenses/by/2.0"
    titles = [s["title"] for s in ohip["sections"]]
    assert titles[:3] == ["Background", "Oral Health Impact Profile", "Translation into Dutch"]
    assert "Results" in titles and "Discussion" in titles
    sample = section(ohip, "Study sample and procedure")
    assert sample["name"].startswith("methods")          # a subsection of Methods
    assert "a convenience sample of 119 consecutive patients" in sample["text"]
    assert "57.1 ± 12.2 yrs" in sample["text"]            # &#x000b1; decoded
    construct = section(ohip, "Construct validity")
    assert len(construct["paragraphs"]) > 1
    for start, end in construct["paragraphs"]:
        assert construct["text"][start:end].strip() and "\n" not in construct["text"][start:end]
    second = construct["paragraphs"][1]
    assert construct["text"][second[0]:].startswith("1. Oral health status")
    # Tables are not read into the prose they float in.
    assert "Mean total score" not in section(ohip, "Oral Health Impact Profile")["text"]


def test_real_tables_come_back_row_for_row(ohip):
    assert [t["label"] for t in ohip["tables"]] == ["Table 1", "Table 2", "Table 3", "Table 4"]
    first = ohip["tables"][0]
    assert first["header"] == ["", "Mean total score", "SD", "Mean item score", "SD"]
    assert len(first["rows"]) == 8
    assert first["rows"][0] == ["Total OHIP-NL (49)", "44.1", "40.2", "0.9", "0.8"]
    assert first["rows"][-1] == ["Handicap (6)", "3.2", "5.4", "0.5", "0.9"]
    assert first["caption"].startswith("Table 1. Mean total scores and mean item scores")
    assert ohip["tables"][2]["rows"][0] == ["Total OHIP-NL", "0.90", "-5.6", "-37.9 to 26.7"]


def test_real_structured_references_have_doi_author_year(ohip):
    refs = {r["number"]: r for r in ohip["references"]}
    assert len(refs) == 31
    assert refs[18]["first_author"] == "Guillemin" and refs[18]["year"] == 1993
    assert refs[18]["doi"] == "10.1016/0895-4356(93)90142-n"
    assert refs[18]["text"].startswith("Guillemin F Bombardier C")


def test_efetch_pmc_reply_with_a_bare_body_paragraph():
    parsed = parse_jats((FIXTURES / "biopython-efetch_pmc.xml").read_bytes())
    assert parsed["ids"]["pmcid"] == "PMC8435807"
    assert parsed["licence"]["url"] == "https://creativecommons.org/licenses/by-nc/4.0/"
    assert [s["name"] for s in parsed["sections"]] == ["body"]
    assert "corrected to −15.1% in the published article" in parsed["sections"][0]["text"]


def test_metadata_only_reply_is_closed_not_an_error():
    body = (FIXTURES / "biopython-efetch_pmc.xml").read_bytes()
    closed = body[:body.index(b"<body>")] + b"<!--The publisher of this article does not allow " \
        b"downloading of the full text in XML form.-->" + body[body.index(b"</body>") + 7:]
    parsed = parse_jats(closed)
    assert parsed["open_access"] is False and parsed["sections"] == []


ARTICLE = """<article xmlns:mml="http://www.w3.org/1998/Math/MathML"><front><article-meta>
<article-id pub-id-type="pmc">12345</article-id></article-meta></front><body>
<sec sec-type="results"><title>Results</title>
<p>Heterogeneity was low (I<sup>2</sup>=12%) and r <inline-formula><mml:math><mml:msup><mml:mi>x</mml:mi>
<mml:mn>2</mml:mn></mml:msup></mml:math></inline-formula> with SpO<sub>2</sub> in <italic>all</italic>
patients<sup><xref ref-type="bibr" rid="b2">2</xref></sup>.&nbsp;Done.</p>
<table-wrap><label>Table 2</label><caption><title>Characteristics of included studies</title></caption>
<table><thead><tr><th rowspan="2">Study</th><th rowspan="2">Design</th><th colspan="2">Patients</th>
<th rowspan="2">Target</th><th rowspan="2">Guidance</th><th rowspan="2">Follow-up</th><th rowspan="2">Outcome</th></tr>
<tr><th>n</th><th>female</th></tr></thead>
<tbody><tr><td>Alpha 2020<sup><xref ref-type="bibr" rid="b2">2</xref></sup></td><td rowspan="2">RCT vs Sham</td><td>40</td><td>22</td>
<td>Genicular nerves</td><td>US</td><td>6 months</td><td>Less pain</td></tr>
<tr><td>Beta 2021 <xref ref-type="bibr" rid="b1">1</xref></td><td>12</td><td>5</td><td>IPBSN</td><td>FL</td><td>12 wk</td><td>Relief</td></tr></tbody></table>
<table-wrap-foot><fn><p>RCT, randomised controlled trial; US, ultrasound; FL, fluoroscopy.</p></fn></table-wrap-foot></table-wrap>
</sec></body><back><ref-list>
<ref id="b1"><label>1</label><mixed-citation>Beta B. A study. J Ex. 2021;1:1. doi:10.5555/beta</mixed-citation></ref>
<ref id="b2"><label>2</label><mixed-citation>Alpha A. Another. J Ex. 2020;2:2. <pub-id pub-id-type="doi">10.5555/ALPHA</pub-id></mixed-citation></ref>
</ref-list></back></article>"""


def test_spans_two_row_headers_citations_and_inline_markup():
    parsed = parse_jats(ARTICLE)
    text = parsed["sections"][0]["text"]
    assert "(I²=12%)" in text and "x²" in text and "SpO2" in text and "all patients[2]. Done." in text
    table = parsed["tables"][0]
    assert table["header"] == ["Study", "Design", "Patients n", "Patients female", "Target",
                               "Guidance", "Follow-up", "Outcome"]
    assert table["rows"][0][:3] == ["Alpha 2020[2]", "RCT vs Sham", "40"]
    assert table["rows"][1][:3] == ["Beta 2021 [1]", "RCT vs Sham", "12"]   # the row span repeated
    rows = {r["author"]: r for r in parsed["evidence_rows"]}
    assert rows["Alpha"]["doi"] == "10.5555/alpha" and rows["Alpha"]["ref"] == 2
    assert rows["Alpha"]["design"] == rows["Beta"]["design"] == "rct"
    assert rows["Alpha"]["sample_size"] == 40 and rows["Beta"]["follow_up_days"] == 84
    assert rows["Beta"]["guidance"] == ["fluoroscopy"]


@pytest.mark.parametrize("data, reason", [
    (b'<?xml version="1.0"?><!DOCTYPE article [<!ENTITY a "aaaa">]><article>&a;</article>', "declares entities"),
    (b"<article><body><p>cut short", "malformed"),
    (b"", "empty"),
    (b"<pmc-articleset><error>The following PMCID is not available: 1</error></pmc-articleset>", "no <article>"),
])
def test_bad_documents_are_refused_with_a_reason(data, reason):
    with pytest.raises(JatsError, match=reason):
        parse_jats(data)
