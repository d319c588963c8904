"""The fault matrix: every failure shape of the real services, served by the mirror on loopback.

Per case: the run's status and reason in `ops.runs`; every record the sources counted is loaded
or quarantined; and once the fault clears, the next run leaves the warehouse equal to a clean
run's.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass, field, replace

import pytest

from pipeline import nightly
from pipeline.mirror.faults import Fault
from pipeline.mirror.server import MirrorServer
from pipeline.warehouse import db
from tests.conftest import make_settings
from tests.factories import write_corpus

PUBMED, PREPRINTS = 60, 5


@dataclass
class Case:
    name: str
    faults: list
    status: dict = field(default_factory=lambda: {"pubmed": "succeeded", "europepmc": "succeeded"})
    reason: str = ""           # in the failed source's ops.runs.error
    note: str = ""             # in ops.runs.notes
    overrides: dict = field(default_factory=dict)
    max_search_ids: int = 9999


def http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


CASES = [
    Case("429 with Retry-After: soon", [Fault("efetch", "429", retry_after="soon"),
                                        Fault("europepmc", "429", retry_after="soon")]),
    Case("429 with an HTTP-date Retry-After", [Fault("esearch", "429", retry_after="<date>")]),
    Case("429 asking for a day, capped", [Fault("efetch", "429", retry_after=86400)],
         note="waited 0.2s (the cap)", overrides={"http_max_wait": 0.2}),
    Case("history expired mid-window", [Fault("efetch", "history_expired")]),
    Case("esearch backend failed", [Fault("esearch", "backend_error", times=2)]),
    Case("efetch backend failed", [Fault("efetch", "backend_error", times=2)]),
    Case("efetch returns fewer than counted, once", [Fault("efetch", "short")]),
    Case("efetch returns fewer than counted, all night", [Fault("efetch", "short", times=1000)],
         status={"pubmed": "failed", "europepmc": "succeeded"}, reason="did not deliver 1 of them"),
    Case("headers trickled past the deadline", [Fault("efetch", "trickle", stall_seconds=6)],
         overrides={"http_timeout": 1.0}),
    Case("truncated transfers", [Fault("efetch", "truncate"), Fault("europepmc", "truncate")]),
    Case("PubMed down all night", [Fault("efetch", "503", times=1000)],
         status={"pubmed": "failed", "europepmc": "succeeded"}, reason="HTTP 503"),
    Case("Europe PMC down all night", [Fault("europepmc", "502", times=1000)],
         status={"pubmed": "succeeded", "europepmc": "failed"}, reason="HTTP 502"),
    Case("search over the 9,999-id ceiling", [], max_search_ids=25,
         overrides={"pubmed_max_ids": 25}),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("matrix") / "corpus", pubmed=PUBMED,
                        preprints=PREPRINTS)


def settings_for(root, mirror, **overrides):
    # An API key lifts NCBI's politeness limit to 10/s: the matrix runs many nights.
    base = make_settings(root, batch_size=20, ncbi_api_key="matrix-key", **overrides)
    return base.with_mirror(mirror.base_url)


def night(settings, run_id):
    errors = nightly.harvest_all(settings, None, None)
    nightly.load_staged(settings, run_id)
    return errors


def snapshot(settings) -> dict:
    con = db.connect(settings, read_only=True)
    try:
        return {
            "articles": con.execute("""SELECT article_id, version, is_current, article_hash
                                       FROM core.articles ORDER BY ALL""").fetchall(),
            "raw": con.execute("SELECT source, source_id, content_hash FROM raw.records ORDER BY ALL").fetchall(),
            "quarantine": con.execute("SELECT source, source_id, reason FROM ops.quarantine ORDER BY ALL").fetchall(),
        }
    finally:
        con.close()


def runs(settings, run_id) -> list[tuple]:
    con = db.connect(settings, read_only=True)
    try:
        return con.execute("""SELECT source, status, coalesce(error, ''), coalesce(notes, ''),
                                     counted, fetched, quarantined
                              FROM ops.runs WHERE run_id = ? ORDER BY source""", [run_id]).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def clean(corpus, tmp_path_factory):
    with MirrorServer(corpus) as mirror:
        settings = settings_for(tmp_path_factory.mktemp("clean"), mirror)
        assert night(settings, "run-clean") == {}
        return snapshot(settings)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_fault_matrix(case, corpus, clean, tmp_path):
    with MirrorServer(corpus) as mirror:
        mirror.state.max_search_ids = case.max_search_ids
        settings = settings_for(tmp_path, mirror, **case.overrides)
        faults = [replace(f, retry_after=http_date(1.0)) if f.retry_after == "<date>" else f
                  for f in case.faults]
        mirror.set_faults(faults)
        started = time.monotonic()
        night(settings, "run-1")
        elapsed = time.monotonic() - started

        rows = {source: row for source, *row in runs(settings, "run-1")}
        assert {source: row[0] for source, row in rows.items()} == case.status
        for source, (status, error, notes, counted, fetched, quarantined) in rows.items():
            if status == "succeeded":
                # every record the source counted is loaded or quarantined
                assert counted == fetched + quarantined == {"pubmed": PUBMED, "europepmc": PREPRINTS}[source]
                assert error == ""
            else:
                assert case.reason in error
        if case.note:
            assert any(case.note in row[2] for row in rows.values())
        assert mirror.state.faults.pending() == [] or "all night" in case.name
        assert elapsed < 60

        mirror.set_faults([])
        assert night(settings, "run-2") == {}
        assert snapshot(settings) == clean
        if case.max_search_ids < PUBMED:   # the window was split into parts PubMed can page
            parts = [r for r in runs(settings, "run-1") if r[0] == "pubmed"]
            assert len(mirror.requests("esearch")) > 3 and parts
        if case.name.startswith("history expired"):
            searches = [r for r in mirror.requests("esearch") if r["params"].get("usehistory")]
            assert len(searches) >= 3   # plan, search, and the search run again for the dead session


def test_a_night_that_failed_is_taken_over_by_the_next_nights_longer_window(corpus, clean, tmp_path):
    from datetime import date

    with MirrorServer(corpus) as mirror:
        settings = settings_for(tmp_path, mirror)
        mirror.set_faults([Fault("efetch", "503", times=1000)])
        errors = nightly.harvest_all(settings, None, date(2024, 1, 6))
        nightly.load_staged(settings, "run-1")
        assert "HTTP 503" in errors["pubmed"]
        mirror.set_faults([])
        assert nightly.harvest_all(settings, None, None) == {}      # a later night: a longer window
        summary = nightly.load_staged(settings, "run-2")
        assert summary.failed == {}          # the first night's unfinished window is not reported again
        assert snapshot(settings) == clean
