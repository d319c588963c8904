"""First runs and backfills in slices: plan, then harvest, extract and load one slice at a time.

    plan_slices -> harvest_slice -> extract_slice -> load_slice   (per slice)

A window with no watermark behind it (a first run asks for everything since `harvest_start`)
or a long `--since/--until` backfill is cut into slices sized to the source's counts
(`pipeline.sources.slices`). Each slice is staged, loaded in its own transaction and recorded in
`ops.loaded_windows`; the watermark moves over loaded slices only while they join up, so a
backfill stopped after slice k resumes at k+1, and a failed slice holds the watermark back
while the slices after it, loaded out of order by other Airflow workers, wait for it. Slices an
earlier attempt already loaded are left out of the next plan.

`litmine run` and `litmine backfill` call `run_slices`; the `litmine_backfill` DAG maps the
per-slice functions over `plan_all`'s slices.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from pipeline import nightly
from pipeline.config import Settings
from pipeline.sources.harvest import Progress, harvest
from pipeline.sources.http import SourceError
from pipeline.sources.slices import Slice, plan
from pipeline.staging import StagedWindow, query_hash, staged_windows

log = logging.getLogger(__name__)


def _client(settings: Settings, source: str):
    from pipeline.sources.europepmc import EuropePMCClient
    from pipeline.sources.pubmed import PubMedClient

    if source == "pubmed":
        return PubMedClient(settings)
    if source == "europepmc":
        return EuropePMCClient(settings)
    raise ValueError(f"unknown source {source!r}")


def _loaded_windows(settings: Settings, source: str) -> list[tuple[date, date]]:
    if not Path(settings.warehouse).exists():
        return []
    from pipeline.warehouse import db

    con = db.connect(settings, read_only=True)
    try:
        return con.execute("""SELECT window_start, window_end FROM ops.loaded_windows
                              WHERE source = ? AND query_hash = ?""",
                           [source, query_hash(settings.query)]).fetchall()
    except Exception:   # a read-only warehouse from before the table: nothing recorded yet
        return []
    finally:
        con.close()


def plan_slices(settings: Settings, source: str, since: date | None = None,
                until: date | None = None, refresh: bool = False) -> list[Slice]:
    """The slices of the window to harvest (explicit, or from the watermark to yesterday),
    each holding at most `settings.slice_records` records by the source's own count. Slices
    already loaded are left out, unless `refresh` asks to harvest them again (records revised
    at the source since)."""
    window = nightly.plan_window(settings, source, since, until)
    if window is None:
        log.info("%s: nothing new to harvest (watermark is at yesterday)", source)
        return []
    client = _client(settings, source)
    target = settings.slice_records
    if source == "pubmed":   # a slice PubMed cannot page through whole would be split again
        target = min(target, client.max_search_ids - 1)
    whole = StagedWindow(settings.staging_dir, source, settings.query, *window)
    try:
        slices = plan(source, lambda a, b: client.count(settings.query, a, b), window[0],
                      window[1], target, [] if refresh else _loaded_windows(settings, source))
    except SourceError as exc:   # kept where the loader reports failed harvests, as harvest does
        whole.manifest.requested = f"{window[0].isoformat()}_{window[1].isoformat()}"
        whole.manifest.error = str(exc)
        whole.save()
        raise
    finally:
        client.close()
    if whole.manifest_path.exists() and not whole.manifest.batches and \
            [(s.since, s.until) for s in slices] != [window]:
        whole.remove()   # a failed plan's record, now planned in other slices
    log.info("%s %s..%s: %d slice(s) of at most %d records", source, window[0], window[1],
             len(slices), target)
    return slices


def plan_all(settings: Settings, since: date | None = None, until: date | None = None,
             refresh: bool = False) -> list[Slice]:
    """Every source's slices, PubMed's first."""
    return [s for source in nightly.SOURCES
            for s in plan_slices(settings, source, since, until, refresh)]


def harvest_slice(settings: Settings, part: Slice, progress: Progress | None = None) -> list[str]:
    """Stage one slice's records (resuming a slice staged in part); its batch files."""
    staged = harvest(settings, part.source, settings.query, part.since, part.until,
                     progress=progress, requested=part.requested)
    return [str(batch.path) for window in staged for batch in window.batches()]


def slice_windows(settings: Settings, part: Slice) -> list[StagedWindow]:
    """The staged windows of the slice (one, or several where PubMed's ceiling split it)."""
    digest = query_hash(settings.query)
    return [w for w in staged_windows(settings.staging_dir)
            if w.source == part.source and query_hash(w.manifest.query) == digest
            and part.since <= w.since and w.until <= part.until]


def extract_slice(settings: Settings, part: Slice) -> int:
    """Extract the slice's staged batches on every core of this machine (an Airflow worker's
    share: a pool whose workers build the extractor once)."""
    batches = [str(b.path) for w in slice_windows(settings, part) if w.manifest.complete
               for b in w.batches()]
    return nightly.extract_batches(batches, settings.extractor_config)


class SliceNotLoaded(RuntimeError):
    """A slice's windows were not all loaded (its harvest is incomplete, or the load failed)."""


def load_slice(settings: Settings, part: Slice, run_id: str,
               strict: bool = False) -> "nightly.LoadSummary":
    """Load the slice's staged windows, each in its own transaction; the watermark follows.
    `strict`: raise SliceNotLoaded when one is not loaded (an Airflow task retries then)."""
    from pipeline.warehouse import db

    summary = nightly.LoadSummary(run_id=run_id)
    con = db.connect(settings)
    try:
        nightly.load_windows(con, slice_windows(settings, part), run_id, summary)
    finally:
        con.close()
    if strict and summary.failed:
        raise SliceNotLoaded(f"{part.source} {part.since}..{part.until}: "
                             + "; ".join(summary.failed.values()))
    return summary


def run_slices(settings: Settings, run_id: str, since: date | None = None,
               until: date | None = None, progress_for=None, refresh: bool = False) -> dict[str, str]:
    """Harvest, extract and load every source slice after slice; a source whose slice fails
    stops there (the next run resumes at that slice) and the other source goes on. The
    reasons, by source."""
    errors: dict[str, str] = {}
    for source in nightly.SOURCES:
        progress = progress_for(source) if progress_for else None
        try:
            for part in plan_slices(settings, source, since, until, refresh):
                harvest_slice(settings, part, progress)
                nightly.extract_staged(settings)
                failed = load_slice(settings, part, run_id).failed
                if failed:
                    errors.update(failed)
                    break
        except SourceError as exc:
            log.error("%s harvest failed: %s", source, exc)
            errors[source] = str(exc)
    return errors
