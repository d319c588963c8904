"""First runs and backfills go slice by slice through the mirror: each slice staged, loaded and
watermarked on its own, resumable after any slice, and the watermark never passes a gap."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from pipeline import backfill
from pipeline.cli import main
from pipeline.config import ENV
from pipeline.mirror.faults import Fault
from pipeline.sources.http import SourceError
from pipeline.staging import query_hash
from pipeline.warehouse import db
from pipeline.warehouse.load import watermark

UNTIL = date(2024, 4, 30)      # the synthetic corpus: 450 PubMed records, 5 a day from 2024-01-01


@pytest.fixture
def sliced(mirrored):
    """At most 100 records a slice, efetch batches of 25."""
    return replace(mirrored, slice_records=100, batch_size=25)


def warehouse_state(settings, source="pubmed"):
    con = db.connect(settings, read_only=True)
    try:
        windows = con.execute("""SELECT window_start, window_end, counted FROM ops.loaded_windows
                                 WHERE source = ? AND query_hash = ? ORDER BY window_start""",
                              [source, query_hash(settings.query)]).fetchall()
        versions, works = con.execute("""SELECT count(*), count(DISTINCT article_id) FROM core.articles
                                         WHERE source = ?""", [source]).fetchone()
        raws, distinct = con.execute("""SELECT count(*), count(DISTINCT source_id) FROM raw.records
                                        WHERE source = ?""", [source]).fetchone()
        mark = watermark(con, source, settings.query)
    finally:
        con.close()
    assert versions == works and raws == distinct, "a record was loaded twice"
    return {"windows": windows, "articles": works, "watermark": mark}


def assert_joined(windows, first: date, last: date) -> None:
    assert windows[0][0] == first and windows[-1][1] == last
    for (_, end, _), (start, _, _) in zip(windows, windows[1:]):
        assert start == end + timedelta(days=1)


def harvest_requests(mirror, since_request: int = 0) -> list[dict]:
    """The record-fetching searches (not the planner's counts) from request `since_request` on."""
    return [r["params"] for r in mirror.requests()[since_request:]
            if r["endpoint"] == "esearch" and r["params"].get("usehistory") == "y"]


def test_a_first_run_is_cut_into_slices_sized_by_the_source(sliced, mirror):
    assert backfill.run_slices(sliced, "run-1", None, UNTIL) == {}
    state = warehouse_state(sliced)
    windows = state["windows"]
    assert len(windows) >= 5 and all(counted <= 100 for _, _, counted in windows)
    assert sum(counted for _, _, counted in windows) == state["articles"] == 450
    assert_joined(windows, sliced.harvest_start, UNTIL)     # from the first day: no watermark yet
    assert state["watermark"] == UNTIL
    assert any(r["params"].get("rettype") == "count" for r in mirror.requests("esearch"))
    # Each slice was searched on its own: no search asked for the whole range at once.
    assert all(r["mindate"] != "2023/01/01" or r["maxdate"] != "2024/04/30"
               for r in harvest_requests(mirror))
    assert warehouse_state(sliced, "europepmc")["articles"] == 7


def test_a_backfill_stopped_mid_slice_resumes_at_that_slice(sliced, mirror):
    starts = []

    def progress_for(source):
        def update(done, total):
            if source != "pubmed":
                return
            if done == 0:
                starts.append(total)
            elif len(starts) == 3:   # the third slice has staged a batch: Ctrl-C
                raise KeyboardInterrupt
        return update

    with pytest.raises(KeyboardInterrupt):
        backfill.run_slices(sliced, "run-1", None, UNTIL, progress_for)
    stopped = warehouse_state(sliced)
    assert len(stopped["windows"]) == 2 and stopped["watermark"] == stopped["windows"][1][1]
    resume_from = stopped["watermark"] + timedelta(days=1)

    before = len(mirror.requests())
    assert backfill.run_slices(sliced, "run-2", None, UNTIL) == {}
    searches = harvest_requests(mirror, before)
    assert searches and min(s["mindate"] for s in searches) == resume_from.strftime("%Y/%m/%d")
    # The slice cut short goes on from its staged batch, not from its first record.
    first_fetch = next(r["params"] for r in mirror.requests()[before:] if r["endpoint"] == "efetch")
    assert int(first_fetch["retstart"]) > 0
    done = warehouse_state(sliced)
    assert done["articles"] == 450 and done["watermark"] == UNTIL
    assert_joined(done["windows"], sliced.harvest_start, UNTIL)


def test_the_watermark_never_passes_a_failed_slice(sliced, mirror):
    slices = backfill.plan_slices(sliced, "pubmed", None, UNTIL)
    assert len(slices) >= 4
    first, failing, later = slices[0], slices[1], slices[2]
    backfill.harvest_slice(sliced, first)
    backfill.extract_slice(sliced, first)
    backfill.load_slice(sliced, first, "run-1", strict=True)

    mirror.set_faults([Fault("efetch", "503", times=1000)])
    with pytest.raises(SourceError):
        backfill.harvest_slice(sliced, failing)
    mirror.set_faults([])
    with pytest.raises(backfill.SliceNotLoaded):    # its harvest is incomplete: not loaded
        backfill.load_slice(sliced, failing, "run-1", strict=True)
    # Another worker loads a later slice meanwhile.
    backfill.harvest_slice(sliced, later)
    backfill.extract_slice(sliced, later)
    backfill.load_slice(sliced, later, "run-1", strict=True)
    state = warehouse_state(sliced)
    assert state["watermark"] == first.until
    assert (later.since, later.until) in [(s, e) for s, e, _ in state["windows"]]

    # The next attempt plans the missing slice again, not the one loaded out of order.
    again = backfill.plan_slices(sliced, "pubmed", None, UNTIL)
    assert again[0].since == failing.since
    assert all(not (s.since <= later.since and later.until <= s.until) for s in again)
    assert backfill.run_slices(sliced, "run-2", None, UNTIL) == {}
    done = warehouse_state(sliced)
    assert done["articles"] == 450 and done["watermark"] == UNTIL


def test_litmine_backfill_command_slices_and_a_rerun_loads_nothing_twice(settings, synthetic_corpus):
    env = {ENV["warehouse"]: str(settings.warehouse), ENV["staging"]: str(settings.staging_dir),
           ENV["http_backoff"]: "0.01"}
    args = ["backfill", "--since", "2024-01-01", "--until", "2024-03-31", "--slice-records", "150",
            "--offline", "--corpus", str(synthetic_corpus)]
    runner = CliRunner()
    first = runner.invoke(main, args, env=env)
    assert first.exit_code == 0, first.output
    state = warehouse_state(settings)
    assert len(state["windows"]) >= 3 and state["articles"] == 450
    assert state["watermark"] == date(2024, 3, 31)
    again = runner.invoke(main, args, env=env)
    assert again.exit_code == 0, again.output
    assert warehouse_state(settings) == state     # every slice was loaded: none planned again
