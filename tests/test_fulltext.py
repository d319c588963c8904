"""Full texts in the nightly run: PDFs fetched, parsed, fed to the extractor and loaded; bad
PDFs quarantined with the reason; a review's table cross-checked against the studies it cites."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from pipeline import nightly
from pipeline.mirror.corpus import SAMPLE_CORPUS
from pipeline.mirror.server import MirrorServer
from pipeline.warehouse import db
from tests.factories import pubmed_xml
from tests.parse.pdf_factory import encrypted_pdf, review_pdf, review_rows

DAY = date(2024, 6, 3)


def preprint(identifier: str, title: str, pdf: str) -> dict:
    return {"id": identifier, "source": "PPR", "doi": f"10.5555/{identifier.lower()}", "title": title,
            "abstractText": "Background: cryoneurolysis for nerve pain. Methods: a review.",
            "authorString": "Tester A.", "language": "eng", "pubYear": "2024",
            "pubTypeList": {"pubType": ["Preprint"]}, "bookOrReportDetails": {"publisher": "medRxiv"},
            "firstPublicationDate": DAY.isoformat(), "firstIndexDate": DAY.isoformat(),
            "fullTextUrlList": {"fullTextUrl": [{"availability": "Free", "availabilityCode": "F",
                                                 "documentStyle": "pdf", "site": "Europe_PMC",
                                                 "url": "{mirror}/pdfs/" + pdf}]}}


@pytest.fixture
def review_corpus(tmp_path):
    """A review preprint whose table cites two PubMed studies (one agrees on its patient count,
    one does not), and three preprints whose PDFs are broken in different ways."""
    root = tmp_path / "corpus"
    for folder in ("pubmed", "europepmc", "pdfs"):
        (root / folder).mkdir(parents=True)
    rows = review_rows(5)
    for pmid, row, patients in ((970000001, rows[0], rows[0]["sample_size"]),
                                (970000002, rows[1], rows[1]["sample_size"] + 7)):
        abstract = (f"METHODS: We retrospectively reviewed {patients} consecutive patients treated "
                    "with ultrasound-guided cryoneurolysis of the intercostal nerves for chest wall pain.")
        (root / "pubmed" / f"{pmid}.xml").write_text(pubmed_xml(
            pmid, DAY, "Cryoneurolysis of the intercostal nerves for pain", abstract, doi=row["doi"]))
    (root / "pdfs" / "review.pdf").write_bytes(review_pdf(5)[0])
    (root / "pdfs" / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage")
    (root / "pdfs" / "locked.pdf").write_bytes(encrypted_pdf())
    for identifier, pdf in (("PPR97001", "review.pdf"), ("PPR97002", "corrupt.pdf"),
                            ("PPR97003", "locked.pdf"), ("PPR97004", "missing.pdf")):
        record = preprint(identifier, f"Cryoneurolysis for nerve pain: a narrative review {identifier}", pdf)
        (root / "europepmc" / f"{identifier}.json").write_text(json.dumps(record))
    return root


def run_night(settings):
    errors = nightly.harvest_all(settings, None, None)
    nightly.extract_staged(settings)
    nightly.load_staged(settings, "run-fulltext")
    nightly.validate(settings, "run-fulltext")
    return errors


def test_pdfs_are_loaded_bad_ones_quarantined_and_disagreements_flagged(settings, review_corpus):
    with MirrorServer(review_corpus) as mirror:
        errors = run_night(settings.with_mirror(mirror.base_url))
    assert errors == {}
    con = db.connect(settings, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM core.articles_current").fetchone()[0] == 6
        documents = con.execute("""SELECT a.preprint_id FROM core.pdf_documents d
                                   JOIN core.articles_current a USING (article_id)""").fetchall()
        assert documents == [("PPR97001",)]   # only the readable PDF is a document
        linked = con.execute("""SELECT count(*) FROM core.evidence_rows r
                                JOIN core.articles_current a ON lower(a.doi) = lower(r.doi)""").fetchone()[0]
        assert linked == 2
        reasons = dict(con.execute("""SELECT source_id, reason FROM ops.quarantine
                                      WHERE stage = 'pdf'""").fetchall())
        assert set(reasons) == {"PPR97002", "PPR97003", "PPR97004"}
        assert "corrupt PDF" in reasons["PPR97002"] or "truncated PDF" in reasons["PPR97002"]
        assert "encrypted" in reasons["PPR97003"]
        assert "HTTP 404" in reasons["PPR97004"]
        flags = con.execute("""SELECT a.pmid, f.column_name, f.reason FROM ops.flags f
                               JOIN core.articles_current a ON a.article_id = f.record_id
                               WHERE f.suite = 'review_tables'""").fetchall()
    finally:
        con.close()
    flagged = {(pmid, column) for pmid, column, _ in flags}
    assert ("970000002", "sample_size") in flagged
    assert ("970000001", "sample_size") not in flagged
    reason = next(r for p, c, r in flags if (p, c) == ("970000002", "sample_size"))
    assert "reference [2]" in reason


def test_guidance_stated_only_in_the_methods_is_read_from_the_pdf(settings):
    with MirrorServer(SAMPLE_CORPUS) as mirror:
        mirrored = settings.with_mirror(mirror.base_url)
        nightly.harvest_source(mirrored, "europepmc")
    nightly.extract_staged(settings)
    nightly.load_staged(settings, "run-pdf")
    con = db.connect(settings, read_only=True)
    try:
        evidence = con.execute("""SELECT e.guidance, v.text FROM core.extractions_latest e
                                  JOIN core.articles_current a USING (article_id)
                                  JOIN core.evidence v ON v.article_id = e.article_id
                                   AND v.extractor_version = e.extractor_version AND v.field = 'guidance'
                                  WHERE a.preprint_id = 'PPR900002'""").fetchall()
    finally:
        con.close()
    assert evidence and "fluoroscopy" in evidence[0][0]
    assert any("fluoro" in text.lower() for _, text in evidence)


def test_parse_pdf_command_writes_the_contract(tmp_path):
    out = tmp_path / "out.json"
    subprocess.run([sys.executable, "-m", "pipeline.cli", "parse-pdf",
                    str(SAMPLE_CORPUS / "pdfs" / "PPR900001.pdf"), "--output", str(out)], check=True,
                   capture_output=True)
    parsed = json.loads(out.read_text())
    assert set(parsed) == {"sections", "tables", "evidence_rows", "references"}
    assert any(s["name"] == "methods" for s in parsed["sections"])
    assert parsed["evidence_rows"] and all(r["ref"] for r in parsed["evidence_rows"])
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf at all")
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "parse-pdf", str(bad), "--output",
                             str(tmp_path / "x.json")], capture_output=True, text=True)
    assert result.returncode == 1 and "not a PDF" in result.stderr
