"""A new extractor version re-reads stored articles and adds rows beside the old ones."""

from __future__ import annotations

import pipeline.extract
from pipeline import nightly
from pipeline.warehouse import db


def run_night(settings, run_id):
    nightly.harvest_all(settings, None, None)
    staged = nightly.stage_reextraction(settings)
    nightly.extract_staged(settings)
    nightly.load_staged(settings, run_id)
    return staged


def extraction_versions(settings):
    con = db.connect(settings, read_only=True)
    try:
        per_version = dict(con.execute("""SELECT extractor_version, count(*) FROM core.extractions
                                          GROUP BY 1""").fetchall())
        latest = {v for (v,) in con.execute("SELECT DISTINCT extractor_version FROM core.extractions_latest").fetchall()}
        versions = con.execute("SELECT count(*) FROM core.articles").fetchone()[0]
        return per_version, latest, versions
    finally:
        con.close()


def test_new_extractor_version_adds_rows_without_touching_articles(mirrored, monkeypatch):
    assert run_night(mirrored, "run-1") == []          # first night: everything is new anyway
    old = pipeline.extract.EXTRACTOR_VERSION
    per_version, _, articles = extraction_versions(mirrored)
    assert per_version == {old: 457}

    monkeypatch.setattr(pipeline.extract, "EXTRACTOR_VERSION", "99.0.0-test")
    staged = run_night(mirrored, "run-2")               # no new records, new rules
    assert len(staged) == 3                             # 457 articles in batches of 200
    per_version, latest, articles_after = extraction_versions(mirrored)
    assert per_version == {old: 457, "99.0.0-test": 457}
    assert latest == {"99.0.0-test"}
    assert articles_after == articles                   # no article got a new version

    assert run_night(mirrored, "run-3") == []           # nothing left to re-read
