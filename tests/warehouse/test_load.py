"""Loads are idempotent, versioned and keyed by the work, and watermarks only move forward."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import duckdb
import pytest

from pipeline.models import Article, Quarantined, RawRecord
from pipeline.staging import StagedWindow
from pipeline.warehouse import db
from pipeline.warehouse.load import advance_watermark, load_window, watermark
from pipeline.warehouse.publish import publish_snapshot

TABLES = ["raw.records", "core.articles", "core.extractions", "core.evidence", "ops.quarantine"]


def article(pmid="990000101", abstract="Eighteen patients had genicular cryoneurolysis.", **kw):
    values = dict(source="pubmed", source_id=pmid, pmid=pmid, doi=f"10.5555/test.{pmid}",
                  title="Cryoneurolysis of the genicular nerves", abstract=abstract, year=2024,
                  language="eng", entrez_date="2024-03-05")
    values.update(kw)
    return Article(**values)


def raw_for(a: Article) -> RawRecord:
    return RawRecord(source=a.source, source_id=a.source_id, payload=f"<x>{a.abstract}</x>",
                     content_type="application/xml", fetched_at="2024-03-06T00:00:00+00:00")


def extraction(a: Article, version="t1", sample_size=18):
    return {"id": f"{a.source}:{a.source_id}", "extractor_version": version, "relevant": True,
            "design": "case_series", "sample_size": sample_size,
            "evidence": {"sample_size": [{"text": "Eighteen patients", "start": 40, "end": 57,
                                          "rule": "count.patients", "confidence": 0.9}]}}


def stage(settings, articles, extractions=(), quarantined=(), since=date(2024, 3, 5),
          until=date(2024, 3, 5), source="pubmed") -> StagedWindow:
    window = StagedWindow(settings.staging_dir, source, settings.query, since, until)
    records = [(raw_for(a), replace(a, raw_hash=raw_for(a).hash)) for a in articles]
    batch = window.write_batch("batch-0000000", records, list(quarantined), len(records), len(records))
    if extractions:
        import json
        batch.extractions_path.write_text("".join(json.dumps(e) + "\n" for e in extractions))
    window.manifest.complete = True
    window.save()
    return window


def counts(con):
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.fixture
def con(settings):
    con = db.connect(settings)
    yield con
    con.close()


def test_migrations_apply_once(settings, con):
    assert db.migrate(con, settings.migrations_dir) == []
    versions = con.execute("SELECT version FROM ops.schema_migrations ORDER BY 1").fetchall()
    assert versions == [(v,) for v, _, _ in db.migrations(settings.migrations_dir)]
    assert len(versions) >= 2


def test_loading_the_same_batch_twice_changes_nothing(settings, con):
    a = article()
    bad = Quarantined(source="pubmed", stage="parse", reason="no PMID", payload="<PubmedArticle/>")
    first = load_window(con, stage(settings, [a], [extraction(a)], [bad]), "run-1")
    after_first = counts(con)
    second = load_window(con, stage(settings, [a], [extraction(a)], [bad]), "run-2")
    assert (first.new, second.new, second.unchanged) == (1, 0, 1)
    assert counts(con) == after_first == {"raw.records": 1, "core.articles": 1,
                                          "core.extractions": 1, "core.evidence": 1,
                                          "ops.quarantine": 1}


def test_a_changed_record_becomes_a_new_version(settings, con):
    load_window(con, stage(settings, [article()]), "run-1")
    fixed = article(abstract="Nineteen patients had genicular cryoneurolysis (corrected).")
    result = load_window(con, stage(settings, [fixed], [extraction(fixed, sample_size=19)]), "run-2")
    assert result.changed == 1
    rows = con.execute("""SELECT version, is_current, abstract FROM core.articles
                          ORDER BY version""").fetchall()
    assert [(v, c) for v, c, _ in rows] == [(1, False), (2, True)]
    latest = con.execute("SELECT article_version, sample_size FROM core.extractions_latest").fetchall()
    assert latest == [(2, 19)]


def test_the_same_work_from_two_sources_is_one_article(settings, con):
    pubmed = article(pmid="990000102")
    load_window(con, stage(settings, [pubmed]), "run-1")
    europepmc = article(pmid="990000102", source="europepmc", source_id="MED990000102",
                        abstract="Eighteen patients had genicular cryoneurolysis.")
    load_window(con, stage(settings, [replace(europepmc, doi=pubmed.doi.upper())],
                           source="europepmc"), "run-2")
    ids = con.execute("SELECT DISTINCT article_id FROM core.articles").fetchall()
    assert ids == [("pmid:990000102",)]


def test_works_are_matched_by_any_identifier_across_batches_and_nights(settings, con):
    """A preprint known only by its DOI is the same work as the journal article that later
    brings a PMID and the DOI in another case; within one night, a work decided in one batch is
    what a later batch of the same window finds, not what the table said before the night."""
    preprint = article(pmid=None, source="europepmc", source_id="PPR77", preprint_id="PPR77",
                       doi="10.5555/Shared.77")
    load_window(con, stage(settings, [preprint], source="europepmc"), "run-1")
    window = StagedWindow(settings.staging_dir, "pubmed", settings.query, date(2024, 3, 6),
                          date(2024, 3, 6))
    journal = article(pmid="990000177", doi="10.5555/SHARED.77")
    corrected = replace(journal, abstract="Nineteen patients had genicular cryoneurolysis.")
    for n, a in enumerate([journal, corrected]):
        records = [(raw_for(a), replace(a, raw_hash=raw_for(a).hash))]
        window.write_batch(f"batch-{n:07d}", records, [], n + 1, 2)
    window.manifest.complete = True
    window.save()
    result = load_window(con, window, "run-2")
    rows = con.execute("""SELECT article_id, version, is_current FROM core.articles
                          ORDER BY version""").fetchall()
    assert (result.changed, result.new) == (2, 0)
    assert rows == [("doi:10.5555/shared.77", 1, False), ("doi:10.5555/shared.77", 2, False),
                    ("doi:10.5555/shared.77", 3, True)]


def test_re_extraction_with_a_new_version_adds_rows(settings, con):
    a = article()
    load_window(con, stage(settings, [a], [extraction(a, version="t1")]), "run-1")
    load_window(con, stage(settings, [a], [extraction(a, version="t2", sample_size=20)]), "run-2")
    rows = con.execute("SELECT extractor_version, sample_size FROM core.extractions "
                       "ORDER BY extractor_version").fetchall()
    assert rows == [("t1", 18), ("t2", 20)]


def test_a_half_harvested_window_is_not_loaded(settings, con):
    window = stage(settings, [article()])
    window.manifest.complete = False
    with pytest.raises(ValueError, match="not completely harvested"):
        load_window(con, window, "run-1")
    assert counts(con)["core.articles"] == 0


def test_watermark_moves_only_over_contiguous_windows(settings, con):
    q = settings.query
    advance_watermark(con, "pubmed", q, date(2024, 1, 1), date(2024, 1, 31))
    advance_watermark(con, "pubmed", q, date(2024, 3, 1), date(2024, 3, 31))   # a gap: stays
    assert watermark(con, "pubmed", q) == date(2024, 1, 31)
    advance_watermark(con, "pubmed", q, date(2023, 6, 1), date(2023, 12, 31))  # older backfill
    assert watermark(con, "pubmed", q) == date(2024, 1, 31)
    advance_watermark(con, "pubmed", q, date(2024, 2, 1), date(2024, 2, 29))
    # February fills the gap: the watermark moves over March too, loaded before it
    assert watermark(con, "pubmed", q) == date(2024, 3, 31)
    assert watermark(con, "pubmed", "another query") is None


def test_published_snapshot_is_a_readable_copy(settings, con):
    load_window(con, stage(settings, [article()]), "run-1")
    path = publish_snapshot(con, settings.warehouse, settings.published)
    reader = duckdb.connect(str(path), read_only=True)
    assert reader.execute("SELECT count(*) FROM core.articles_current").fetchone()[0] == 1
    reader.close()


def test_a_slice_loaded_before_the_first_one_does_not_set_the_watermark(settings, con):
    q, first_day = settings.query, date(2024, 1, 1)
    advance_watermark(con, "europepmc", q, date(2024, 2, 1), date(2024, 2, 29), start=first_day)
    assert watermark(con, "europepmc", q) is None      # January, the first slice, is not in yet
    advance_watermark(con, "europepmc", q, date(2024, 1, 1), date(2024, 1, 31), start=first_day)
    assert watermark(con, "europepmc", q) == date(2024, 2, 29)


def test_warehouse_connections_draw_no_progress_bar(tmp_path):
    """A 100k-record export runs for seconds; DuckDB would then draw its progress bar into the
    night's log (stderr, not a terminal), line after line."""
    from pipeline.warehouse.db import open_file

    con = open_file(tmp_path / "w.duckdb")
    try:
        assert con.execute("SELECT current_setting('enable_progress_bar')").fetchone() == (False,)
    finally:
        con.close()


def test_an_articles_hash_is_the_one_earlier_versions_stored():
    """Stored hashes decide "unchanged" on the next harvest: the way it is computed may change,
    its value may not (this one was stored by the asdict-based version)."""
    from dataclasses import replace

    from pipeline.models import Article
    from pipeline.warehouse.load import article_hash

    article = Article(
        source="pubmed", source_id="123", title="Cryoneurolysis of the genicular nerves",
        abstract="Background: ... Results: 40 patients.", pmid="123", doi="10.1/x",
        journal="Pain", year=2021, language="eng", authors=["Ilfeld B", "Chen L"],
        publication_types=["Journal Article"], mesh_terms=["Knee"],
        abstract_sections=[{"label": "BACKGROUND", "text": "…"},
                           {"label": "RESULTS", "text": "40 patients"}],
        entrez_date="2021-03-04", pdf_url="https://x/y.pdf", raw_hash="abc")
    stored = "2006bcf8265c13d20dfc5157fb169eb73b1db57cb8dc670973a5c7b540155d97"
    assert article_hash(article) == stored
    # a moved PDF or another raw payload is the same work; a new title is not
    assert article_hash(replace(article, pdf_url=None, raw_hash="def")) == stored
    assert article_hash(replace(article, title="Cryoneurolysis of the knee")) != stored
