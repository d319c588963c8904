"""Open-access full texts in the nightly run: read from PMC / Europe PMC, extracted with evidence
that points into them, both readings kept, closed ones noted and looked at again, transient
failures retried on a later night, and re-extraction never dropping what the full text gave."""

from __future__ import annotations

import json
import shutil

import pytest

from pipeline import nightly
from pipeline.mirror.corpus import SAMPLE_CORPUS
from pipeline.mirror.faults import Fault
from pipeline.mirror.server import MirrorServer
from pipeline.warehouse import db

REVIEW, TRIAL, CLOSED = "pmid:990000011", "pmid:990000002", "pmid:990000003"


def night(settings, mirror, run_id):
    errors = nightly.harvest_all(settings.with_mirror(mirror.base_url), None, None)
    nightly.stage_reextraction(settings)
    nightly.extract_staged(settings)
    nightly.load_staged(settings, run_id)
    return errors


def query(settings, sql, params=None):
    con = db.connect(settings, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, root, ignore=shutil.ignore_patterns("*.py", "pdfs", "europepmc"))
    (root / "europepmc").mkdir()
    return root


def test_open_full_text_is_read_located_and_compared(settings, corpus):
    with MirrorServer(corpus) as mirror:
        assert night(settings, mirror, "run-1") == {}
    status = dict(query(settings, "SELECT article_id, status FROM ops.fulltext_status"))
    assert status == {REVIEW: "read", TRIAL: "read", CLOSED: "not_open_access"}
    assert query(settings, "SELECT count(*) FROM ops.quarantine WHERE stage = 'pdf'") == [(0,)]
    docs = query(settings, "SELECT article_id, format, licence FROM core.pdf_documents ORDER BY 1")
    assert docs == [(TRIAL, "jats", "https://creativecommons.org/licenses/by/4.0/"),
                    (REVIEW, "jats", "https://creativecommons.org/licenses/by/4.0/")]
    # The trial's abstract gives 12 weeks; its full text's Follow-up section, 6 months.
    (follow_up, flags), = query(settings, "SELECT follow_up_days, flags FROM core.extractions_latest "
                                          "WHERE article_id = ?", [TRIAL])
    assert follow_up == 180
    assert any(f["field"] == "follow_up" and "disagree" in f["reason"] for f in json.loads(flags))
    both = query(settings, """SELECT abstract_value::INTEGER, full_text_value::INTEGER, shown, disagree
                              FROM core.extraction_sources WHERE article_id = ? AND field = 'follow_up_days'""",
                 [TRIAL])
    assert both == [(84, 180, "full_text", True)]
    where = query(settings, """SELECT l.source, l.section, l.paragraph, e.text
                               FROM core.evidence_locations l JOIN core.evidence e
                               USING (article_id, article_version, extractor_version, field, ordinal)
                               WHERE article_id = ? AND field = 'follow_up'""", [TRIAL])
    assert where == [("full_text", "methods / follow up", 1, "6 months")]
    assert query(settings, "SELECT count(*) FROM core.fulltext_disagreements WHERE article_id = ?",
                 [TRIAL]) == [(1,)]
    # The review's evidence table came from JATS and links to the studies it cites.
    linked = query(settings, """SELECT r.ref, a.article_id, r.design, r.sample_size FROM core.evidence_rows r
                                JOIN core.articles_current a ON lower(a.doi) = r.doi
                                WHERE r.article_id = ? ORDER BY r.ref""", [REVIEW])
    assert linked == [(1, "pmid:990000001", "rct", 169), (2, "pmid:990000003", "rct", 80)]


def test_transient_failure_is_retried_and_replaces_the_abstract_only_extraction(settings, corpus):
    with MirrorServer(corpus) as mirror:
        mirror.set_faults([Fault("fulltext", "503", times=1000), Fault("pmc", "503", times=1000)])
        night(settings, mirror, "run-1")
        assert dict(query(settings, "SELECT article_id, status FROM ops.fulltext_status"))[TRIAL] == "retry"
        assert query(settings, "SELECT follow_up_days FROM core.extractions_latest WHERE article_id = ?",
                     [TRIAL]) == [(84,)]
        assert query(settings, "SELECT count(*) FROM ops.quarantine WHERE stage = 'pdf'") == [(0,)]
        # A night later the service is back. (The clock is moved by making the retry due now.)
        mirror.set_faults([])
        con = db.connect(settings)
        con.execute("UPDATE ops.fulltext_status SET next_try_at = now() - INTERVAL 1 MINUTE "
                    "WHERE next_try_at IS NOT NULL")
        con.close()
        night(settings, mirror, "run-2")
    status = dict(query(settings, "SELECT article_id, status FROM ops.fulltext_status"))
    assert status[TRIAL] == "read" and status[CLOSED] == "not_open_access"
    assert query(settings, "SELECT follow_up_days FROM core.extractions_latest WHERE article_id = ?",
                 [TRIAL]) == [(180,)]
    # Value and evidence agree: one extraction per version, its follow-up evidence says 6 months.
    assert query(settings, "SELECT count(*) FROM core.extractions WHERE article_id = ?", [TRIAL]) == [(1,)]
    assert query(settings, "SELECT text FROM core.evidence WHERE article_id = ? AND field = 'follow_up'",
                 [TRIAL]) == [("6 months",)]


def test_a_new_extractor_version_still_reads_the_full_text(settings, corpus, monkeypatch):
    import pipeline.extract as extract

    with MirrorServer(corpus) as mirror:
        night(settings, mirror, "run-1")
        monkeypatch.setattr(extract, "EXTRACTOR_VERSION", extract.EXTRACTOR_VERSION + "-next")
        night(settings, mirror, "run-2")
    rows = query(settings, """SELECT extractor_version, follow_up_days FROM core.extractions
                              WHERE article_id = ? ORDER BY extracted_at""", [TRIAL])
    assert [v for _, v in rows] == [180, 180] and rows[1][0].endswith("-next")
    assert query(settings, """SELECT count(*) FROM core.evidence_locations WHERE article_id = ?
                              AND extractor_version LIKE '%-next' AND source = 'full_text'""", [TRIAL])[0][0] > 0


def test_a_preprint_with_a_europepmc_full_text_is_read_from_it_not_from_its_pdf(settings, corpus):
    record = json.loads((SAMPLE_CORPUS / "europepmc" / "PPR900002.json").read_text())
    (corpus / "europepmc" / "PPR900002.json").write_text(json.dumps(record))
    (corpus / "pdfs").mkdir()
    shutil.copy(SAMPLE_CORPUS / "pdfs" / "PPR900002.pdf", corpus / "pdfs")
    (corpus / "pmc" / "PPR900002.xml").write_text(
        '<article article-type="preprint"><front><article-meta><title-group><article-title>'
        + record["title"] + "</article-title></title-group><permissions><license "
        'license-type="open-access" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xlink:href="https://creativecommons.org/licenses/by-nc-nd/4.0/"/></permissions>'
        '</article-meta></front><body><sec sec-type="methods"><title>Methods</title>'
        "<p>Patients were randomised 1:1. The L5 dorsal ramus and S1-S3 lateral branches were "
        "frozen under fluoroscopic guidance with a 2 mm probe.</p></sec></body></article>")
    with MirrorServer(corpus) as mirror:
        night(settings, mirror, "run-1")
        pdf_requests = len(mirror.requests("pdf"))
    (article_id, fmt, licence), = query(settings, """SELECT d.article_id, d.format, d.licence
                                                     FROM core.pdf_documents d JOIN core.articles_current a
                                                     USING (article_id) WHERE a.preprint_id = 'PPR900002'""")
    assert (fmt, licence) == ("jats", "https://creativecommons.org/licenses/by-nc-nd/4.0/")
    assert pdf_requests == 0
    (guidance,), = query(settings, "SELECT guidance FROM core.extractions_latest WHERE article_id = ?",
                         [article_id])
    assert "fluoroscopy" in guidance
    assert query(settings, """SELECT source, section, paragraph FROM core.evidence_locations
                              WHERE article_id = ? AND field = 'guidance'""", [article_id]) == \
        [("full_text", "methods", 1)]


def test_a_preprint_europepmc_holds_no_text_for_is_not_asked_until_its_recheck(settings, corpus):
    """The search result says whether Europe PMC holds a full text: at a backfill's scale, asking
    for each preprint that has none would cost most of the harvest. A text that appears later is
    still found by the closed record's weekly re-check, which asks whatever the old result said."""
    record = json.loads((SAMPLE_CORPUS / "europepmc" / "PPR900002.json").read_text())
    record["fullTextUrlList"] = {"fullTextUrl": []}          # no web page, no PDF either
    (corpus / "europepmc" / "PPR900002.json").write_text(json.dumps(record))
    with MirrorServer(corpus) as mirror:
        night(settings, mirror, "run-1")
        asked = [r["params"]["id"] for r in mirror.requests("fulltext")]
    assert "PPR900002" not in asked and asked          # PubMed's PMCIDs are still asked for
    (article_id, status), = query(settings, """SELECT s.article_id, s.status FROM ops.fulltext_status s
                                               JOIN core.articles_current a USING (article_id)
                                               WHERE a.preprint_id = 'PPR900002'""")
    assert status == "not_open_access"

    (corpus / "pmc" / "PPR900002.xml").write_text(    # a week later Europe PMC holds its text
        '<article article-type="preprint"><front><article-meta><title-group><article-title>'
        + record["title"] + "</article-title></title-group></article-meta></front><body><sec>"
        "<title>Methods</title><p>Nerves were frozen under ultrasound guidance.</p></sec>"
        "</body></article>")
    con = db.connect(settings)
    con.execute("UPDATE ops.fulltext_status SET next_try_at = now() - INTERVAL 1 MINUTE "
                "WHERE next_try_at IS NOT NULL")
    con.close()
    with MirrorServer(corpus) as mirror:
        night(settings, mirror, "run-2")
        assert [r["params"]["id"] for r in mirror.requests("fulltext")].count("PPR900002") == 1
    assert query(settings, "SELECT status FROM ops.fulltext_status WHERE article_id = ?",
                 [article_id]) == [("read",)]
    assert query(settings, "SELECT format FROM core.pdf_documents WHERE article_id = ?",
                 [article_id]) == [("jats",)]


def test_a_disagreement_reaches_the_curation_queue_until_a_curator_settles_it(settings, corpus):
    from pipeline.curate import records, store
    with MirrorServer(corpus) as mirror:
        assert night(settings, mirror, "run-1") == {}
    reason = "abstract and full text disagree: abstract 84, full text 180; the full text's value is shown"
    backlog = query(settings, """SELECT field, reasons, raised_by, current_value FROM marts.curation_backlog
                                 WHERE article_id = ?""", [TRIAL])
    assert ("follow_up", [reason], ["extractor"], "180") in backlog
    # The curator's queue lists the record with the follow-up pending, for the same reason.
    con = db.connect(settings)
    try:
        item = next(i for i in records.queue(con) if i.article_id == TRIAL)
        assert "follow_up_days" in item.pending and reason in item.reasons["follow_up_days"]
        # Settled by the curator (the abstract's 12 weeks was the primary end point), it leaves both.
        store.curate(con, TRIAL, "follow_up_days", "correct", 84, curator="ana",
                     reason="12 weeks is the primary end point")
        assert all(i.article_id != TRIAL or "follow_up_days" not in i.pending for i in records.queue(con))
        assert con.execute("""SELECT count(*) FROM marts.curation_backlog
                              WHERE article_id = ? AND field = 'follow_up'""", [TRIAL]).fetchone() == (0,)
        assert con.execute("SELECT follow_up_days FROM core.evidence_current WHERE article_id = ?",
                           [TRIAL]).fetchone() == (84,)
    finally:
        con.close()
