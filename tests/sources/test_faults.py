"""The real clients against the mirror's injected faults: nothing lost, nothing duplicated,
and a run that cannot finish fails with the reason and resumes later."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline import nightly
from pipeline.mirror.faults import Fault
from pipeline.sources.http import SourceError
from pipeline.warehouse import db

SOURCES_TOTAL = {"pubmed": 450, "europepmc": 7}


def harvest_and_load(settings, run_id="run-test"):
    errors = nightly.harvest_all(settings, None, None)
    summary = nightly.load_staged(settings, run_id)
    return errors, summary


def warehouse_counts(settings):
    con = db.connect(settings, read_only=True)
    try:
        return dict(con.execute("""SELECT source, count(*) FROM core.articles_current
                                   GROUP BY source""").fetchall()), con.execute(
            "SELECT count(*), count(DISTINCT article_id) FROM core.articles").fetchone()
    finally:
        con.close()


def assert_complete(settings):
    by_source, (rows, distinct) = warehouse_counts(settings)
    assert by_source == SOURCES_TOTAL
    assert rows == distinct  # no duplicate versions of unchanged records


@pytest.mark.parametrize("fault", [
    Fault("efetch", "429", times=2, retry_after=0.2),
    Fault("efetch", "500"), Fault("efetch", "502"), Fault("esearch", "503", times=2),
    Fault("efetch", "truncate"), Fault("efetch", "truncate_body"),
    Fault("esearch", "truncate_body"),
    Fault("europepmc", "503"), Fault("europepmc", "truncate"), Fault("europepmc", "429"),
], ids=lambda f: f"{f.endpoint}-{f.kind}")
def test_transient_faults_are_retried_without_loss(mirrored, mirror, fault):
    mirror.set_faults([fault])
    errors, summary = harvest_and_load(mirrored)
    assert errors == {} and summary.failed == {}
    assert_complete(mirrored)
    assert mirror.state.faults.pending() == []   # the fault did fire


def test_a_stalled_response_times_out_and_is_retried(mirrored, mirror):
    mirror.set_faults([Fault("efetch", "stall", stall_seconds=3)])
    errors, _ = harvest_and_load(replace(mirrored, http_timeout=1.0))
    assert errors == {}
    assert_complete(mirrored)


def test_retry_after_is_honoured(mirrored, mirror):
    mirror.set_faults([Fault("efetch", "429", retry_after=1.5)])
    harvest_and_load(mirrored)
    efetch = mirror.requests("efetch")
    assert efetch[1]["time"] - efetch[0]["time"] >= 1.5


def test_a_malformed_record_is_quarantined_and_its_neighbours_loaded(mirrored, mirror):
    # One counted record of each source arrives broken: it is quarantined, the rest load, and
    # loaded + quarantined is still the count the source reported.
    # (Europe PMC's first request is the slice planner's count: its page's record is not read.)
    mirror.set_faults([Fault("efetch", "malformed"), Fault("europepmc", "malformed", times=2)])
    _, summary = harvest_and_load(mirrored)
    by_source, (rows, distinct) = warehouse_counts(mirrored)
    assert by_source == {source: n - 1 for source, n in SOURCES_TOTAL.items()} and rows == distinct
    con = db.connect(mirrored, read_only=True)
    reasons = con.execute("SELECT source, stage, reason FROM ops.quarantine ORDER BY source").fetchall()
    counted = dict(con.execute("SELECT source, counted FROM ops.runs").fetchall())
    con.close()
    assert counted == SOURCES_TOTAL
    assert [(source, stage) for source, stage, _ in reasons] == [("europepmc", "parse"), ("pubmed", "parse")]
    assert "malformed PubMed XML" in reasons[1][2]
    assert "no id" in reasons[0][2]
    assert summary.sources["pubmed"]["quarantined"] == 1


def test_a_source_down_for_good_fails_cleanly_then_resumes(mirrored, mirror):
    mirror.set_faults([Fault("efetch", "503", times=1000)])
    errors, summary = harvest_and_load(mirrored, "run-1")
    assert "gave up after 4 attempts" in errors["pubmed"] and "HTTP 503" in errors["pubmed"]
    con = db.connect(mirrored, read_only=True)
    runs = dict(con.execute("SELECT source, status FROM ops.runs WHERE run_id = 'run-1'").fetchall())
    error = con.execute("SELECT error FROM ops.runs WHERE source = 'pubmed'").fetchone()[0]
    con.close()
    assert runs == {"pubmed": "failed", "europepmc": "succeeded"}   # preprints still loaded
    assert "HTTP 503" in error
    mirror.set_faults([])
    errors, summary = harvest_and_load(mirrored, "run-2")
    assert errors == {} and summary.sources["pubmed"]["new"] == 450
    assert_complete(mirrored)


def test_rejected_query_is_an_error_not_a_retry(mirrored, mirror):
    with pytest.raises(SourceError, match="rejected the search"):
        nightly.harvest_source(mirrored.with_query("(unbalanced"), "pubmed")
    assert len(mirror.requests("esearch")) == 1


def test_the_sources_are_harvested_side_by_side(mirrored, mirror):
    # PubMed's 450 records take four requests at 3/s; the preprints need not wait for them
    errors, _ = harvest_and_load(mirrored)
    pubmed = [r["time"] for r in mirror.requests("esearch") + mirror.requests("efetch")]
    preprints = [r["time"] for r in mirror.requests("europepmc")]
    assert errors == {} and pubmed and preprints
    assert min(preprints) < max(pubmed)
    assert_complete(mirrored)
