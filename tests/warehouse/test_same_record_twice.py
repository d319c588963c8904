"""Two versions of one record in a batch (a correction arriving with the original) each keep
their own extraction: v1 is never stored with v2's values."""

from __future__ import annotations

from datetime import date

from pipeline import nightly
from pipeline.parse.pubmed_xml import parse_efetch
from pipeline.staging import StagedWindow
from pipeline.warehouse import db
from pipeline.warehouse.load import load_window
from tests.factories import pubmed_xml


def version(n: int):
    xml = pubmed_xml(970000010, date(2024, 1, 3), "Cryoneurolysis of the genicular nerves",
                     f"In this randomized sham-controlled trial, {n} patients were allocated to "
                     "cryoneurolysis of the genicular nerves for knee pain.",
                     "Randomized Controlled Trial")
    (record,), _ = parse_efetch(f"<PubmedArticleSet>{xml}</PubmedArticleSet>".encode())
    return record


def test_each_version_keeps_its_own_extraction(settings):
    window = StagedWindow(settings.staging_dir, "pubmed", settings.query, date(2024, 1, 3),
                          date(2024, 1, 3))
    batch = window.write_batch("batch-0000000", [version(20), version(40)], [], 2, 2)
    window.manifest.complete = True
    window.save()
    nightly.extract_batch(str(batch.path))
    con = db.connect(settings)
    try:
        load_window(con, window, "run-twice")
        rows = con.execute("""SELECT a.version, a.is_current, e.sample_size
                              FROM core.articles a JOIN core.extractions e
                                ON e.article_id = a.article_id AND e.article_version = a.version
                              ORDER BY a.version""").fetchall()
    finally:
        con.close()
    assert rows == [(1, False, 20), (2, True, 40)]
