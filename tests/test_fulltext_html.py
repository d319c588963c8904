"""A preprint that links its full text as a web page (as most medRxiv and bioRxiv records in
Europe PMC do): the real full-text client fetches it from the mirror, the page is parsed into
sections and tables, and the extractor reads it, with evidence pointing into the page."""

from __future__ import annotations

import json
from datetime import date

import pytest

from pipeline import nightly
from pipeline.mirror.faults import Fault
from pipeline.mirror.server import MirrorServer
from tests.test_fulltext_jats import query

DAY = date(2024, 6, 3)
# ILLUSTRATIVE page, written for this test in the layout of a preprint server's full-text page
# (site header and menu, the article in its own block, a sidebar, a footer). Guidance is stated
# only in the page's methods, never in the abstract.
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Cryoneurolysis of the genicular nerves | medRxiv</title>
<meta name="citation_title" content="Cryoneurolysis of the genicular nerves for knee pain: a prospective cohort">
<script>window.dataLayer = [];</script></head>
<body><header class="site-header"><a href="/">medRxiv</a><nav class="menu"><ul><li><a href="/">Home</a></li>
<li><a href="/about">About</a></li></ul></nav></header>
<div class="page"><div class="article fulltext-view">
<h1>Cryoneurolysis of the genicular nerves for knee pain: a prospective cohort</h1>
<div class="section abstract"><h2>Abstract</h2><p>Background: cryoneurolysis for knee pain.
Methods: a prospective cohort of 36 adults. Results: pain fell at 12 weeks.</p></div>
<div class="section introduction"><h2>Introduction</h2>
<p>Chronic knee pain after arthroplasty is common and hard to treat.</p></div>
<div class="section methods"><h2>Methods</h2>
<h3>Procedure</h3>
<p>Thirty-six adults were enrolled at one centre between 2022 and 2023.</p>
<p>The superior lateral, superior medial and inferior medial genicular nerves were frozen
under ultrasound guidance with a 2 mm probe in three cycles.</p>
<h3>Follow-up</h3><p>Patients were seen at 2, 6 and 12 weeks.</p></div>
<div class="section results"><h2>Results</h2>
<p>Thirty-four patients completed the 12-week visit.</p>
<div class="table-wrap"><div class="table-caption">Table 1. Pain by visit</div>
<table><thead><tr><th>Visit</th><th>NRS, mean</th><th>n</th></tr></thead>
<tbody><tr><td>Baseline</td><td>6.9</td><td>36</td></tr><tr><td>12 weeks</td><td>3.4</td><td>34</td></tr></tbody>
</table><div class="table-foot">NRS, numeric rating scale.</div></div></div>
<div class="license"><p>This preprint is made available under a CC-BY 4.0 International license
(<a href="https://creativecommons.org/licenses/by/4.0/">https://creativecommons.org/licenses/by/4.0/</a>).</p></div>
</div><aside class="sidebar"><p>Related preprints: guidance in the sidebar does not count, nerve stimulator.</p></aside></div>
<footer><p>medRxiv is operated by a research organisation. Fluoroscopy is not mentioned in the article.</p></footer>
</body></html>"""


def preprint(identifier: str) -> dict:
    links = [{"availability": "Free", "availabilityCode": "F", "documentStyle": style, "site": "medRxiv",
              "url": "{mirror}/" + path} for style, path in (("html", f"html/{identifier}.html"),
                                                             ("pdf", f"pdfs/{identifier}.pdf"))]
    return {"id": identifier, "source": "PPR", "doi": f"10.5555/{identifier.lower()}",
            "title": "Cryoneurolysis of the genicular nerves for knee pain: a prospective cohort",
            "abstractText": "Background: cryoneurolysis of the genicular nerves for knee pain. Methods: a "
                            "prospective cohort of 36 adults. Results: pain fell at 12 weeks.",
            "authorString": "Tester A.", "language": "eng", "pubYear": "2024",
            "pubTypeList": {"pubType": ["Preprint"]}, "bookOrReportDetails": {"publisher": "medRxiv"},
            "firstPublicationDate": DAY.isoformat(), "firstIndexDate": DAY.isoformat(),
            "fullTextUrlList": {"fullTextUrl": links}}


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    for folder in ("pubmed", "europepmc", "pdfs", "html"):
        (root / folder).mkdir(parents=True)
    (root / "europepmc" / "PPR97010.json").write_text(json.dumps(preprint("PPR97010")))
    (root / "html" / "PPR97010.html").write_text(PAGE, encoding="utf-8")
    return root


def night(settings, run_id):
    errors = nightly.harvest_all(settings, None, None)
    nightly.extract_staged(settings)
    nightly.load_staged(settings, run_id)
    return errors


def test_a_preprints_web_page_is_read_and_the_extractor_points_into_it(settings, corpus):
    with MirrorServer(corpus) as mirror:
        assert night(settings.with_mirror(mirror.base_url), "run-1") == {}
        assert mirror.requests("html") and not mirror.requests("pdf")   # the page, not the PDF
    (article_id, status, fmt), = query(settings, "SELECT article_id, status, format FROM ops.fulltext_status")
    assert (status, fmt) == ("read", "html")
    (url, licence, sections), = query(settings, "SELECT pdf_url, licence, sections::VARCHAR FROM core.pdf_documents")
    assert url.endswith("/html/PPR97010.html") and licence == "https://creativecommons.org/licenses/by/4.0/"
    names = [s["name"] for s in json.loads(sections)]
    # "Procedure" under "Methods" is named as JATS names it: methods
    assert names == ["introduction", "methods", "methods / follow up", "results"]
    (caption, header, rows), = query(settings, "SELECT caption, header, rows::VARCHAR FROM core.pdf_tables")
    assert (caption, header) == ("Table 1. Pain by visit", ["Visit", "NRS, mean", "n"])
    assert json.loads(rows) == [["Baseline", "6.9", "36"], ["12 weeks", "3.4", "34"]]
    # Guidance is only in the page's methods: read from there, the sidebar and footer ignored.
    (guidance,), = query(settings, "SELECT guidance FROM core.extractions_latest WHERE article_id = ?", [article_id])
    assert guidance == ["ultrasound"]
    where = query(settings, """SELECT l.source, l.section, l.paragraph FROM core.evidence_locations l
                               WHERE article_id = ? AND field = 'guidance'""", [article_id])
    assert where == [("full_text", "methods", 2)]


def test_a_failing_page_is_retried_another_night(settings, corpus):
    with MirrorServer(corpus, faults=[Fault("html", "503", times=100)]) as mirror:
        assert night(settings.with_mirror(mirror.base_url), "run-1") == {}
    assert query(settings, "SELECT status FROM ops.fulltext_status") == [("retry",)]
    assert query(settings, "SELECT count(*) FROM ops.quarantine") == [(0,)]
