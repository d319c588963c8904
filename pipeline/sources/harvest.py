"""Harvest one source over one date window into the staging area, resuming where it stopped.

A window already staged completely is not fetched again. A window left half-done (the process
was killed, or the source failed past its retries) continues from the manifest's next offset or
cursor; when the source now reports a different number of records for the window, the staged
batches are dropped and the window is fetched again from the start.

Every record is accounted for: a window is complete only when the records staged plus those
quarantined equal the count the source reported. When efetch hands back fewer records than a
batch should hold (NCBI does this), the batch's PMIDs are looked up and the missing ones
fetched by id; any still missing are kept in the manifest, the window stays incomplete (the
watermark does not move) and the next run fetches them. Each record is type-checked before it
is staged (`pipeline.parse.record_schema`), so nothing staged can fail the load. A PubMed window
over the 9,999 ids PubMed pages through is split by date into windows that fit.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Callable

from pipeline.config import Settings
from pipeline.models import Quarantined
from pipeline.parse.record_schema import check_article
from pipeline.sources.europepmc import EuropePMCClient
from pipeline.sources.fulltext import stage_fulltexts
from pipeline.sources.fulltext_client import FullTextClient
from pipeline.sources.http import SourceError
from pipeline.sources.pubmed import PubMedClient
from pipeline.staging import StagedWindow, staged_windows

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]   # (records so far, total if known)


def _quarantine(source: str, rejects) -> list[Quarantined]:
    return [Quarantined(source=source, stage="parse", reason=reason, payload=payload,
                        source_id=source_id) for reason, payload, source_id in rejects]


def screen(source: str, records, rejects, max_bytes: int):
    """Records that can be stored as they are, and quarantine entries for all the others."""
    kept, refused = [], _quarantine(source, rejects)
    for raw, article in records:
        reason = check_article(raw, article, max_bytes)
        if reason:
            refused.append(Quarantined(source=source, stage="parse", reason=reason,
                                       payload=raw.payload, source_id=raw.source_id))
        else:
            kept.append((raw, article))
    return kept, refused


def _received_ids(records, rejects) -> set[str]:
    return {raw.source_id for raw, _ in records} | {pmid for _, _, pmid in rejects if pmid}


def harvest_pubmed(client: PubMedClient, window: StagedWindow, progress: Progress,
                   max_bytes: int = 16 * 1024 * 1024) -> None:
    manifest = window.manifest
    search = client.search(manifest.query, window.since, window.until)
    start = manifest.next if isinstance(manifest.next, int) else 0
    if manifest.count is not None and manifest.count != search.count:
        log.warning("pubmed %s..%s: the source now reports %d records, not %d; starting over",
                    window.since, window.until, search.count, manifest.count)
        window.restart()
        start = 0
    manifest.count = search.count
    progress(manifest.fetched, search.count)
    if manifest.missing:
        _fetch_missing(client, window, max_bytes)
    for batch in client.batches(search, manifest.query, window.since, window.until, start):
        records, rejects = batch.records, batch.rejects
        expected = batch.next_offset - batch.offset
        received = len(records) + len(rejects)
        missing = []
        if received < expected:
            # efetch sent fewer than the search counted here: ask which, and fetch those by id.
            ids = client.ids(manifest.query, window.since, window.until, batch.offset, expected)
            missing = [pmid for pmid in ids if pmid not in _received_ids(records, rejects)]
            if missing:
                more, more_rejects = client.fetch_ids(missing)
                records, rejects = records + more, rejects + more_rejects
                missing = [pmid for pmid in missing if pmid not in _received_ids(more, more_rejects)]
        kept, refused = screen("pubmed", records, rejects, max_bytes)
        manifest.missing = sorted(set(manifest.missing) | set(missing))
        window.write_batch(f"batch-{batch.offset:07d}", kept, refused, batch.next_offset,
                           search.count)
        progress(manifest.fetched + manifest.rejected, search.count)
    if manifest.missing:
        _fetch_missing(client, window, max_bytes)
    if manifest.missing:
        raise SourceError(f"PubMed counted {search.count} records for {window.since}..{window.until} "
                          f"but efetch did not deliver {len(manifest.missing)} of them "
                          f"(PMIDs {', '.join(manifest.missing[:10])}); the window stays open and "
                          "the next run fetches them")
    _account(window)


def _fetch_missing(client: PubMedClient, window: StagedWindow, max_bytes: int) -> None:
    """Fetch by id the PMIDs an earlier batch did not get, into a batch of their own."""
    manifest = window.manifest
    records, rejects = client.fetch_ids(manifest.missing)
    if not records and not rejects:
        return
    kept, refused = screen("pubmed", records, rejects, max_bytes)
    manifest.missing = sorted(set(manifest.missing) - _received_ids(records, rejects))
    window.write_batch(f"missing-{len(manifest.batches):07d}", kept, refused, manifest.next,
                       manifest.count)


def _account(window: StagedWindow) -> None:
    """Fail the window unless every record the source counted was staged or quarantined."""
    m = window.manifest
    if m.count is not None and m.fetched + m.rejected != m.count:
        found = m.fetched + m.rejected
        window.restart()   # what was staged cannot be trusted to line up: fetch it all again
        window.save()
        raise SourceError(f"{m.source} counted {m.count} records for {m.since}..{m.until} but "
                          f"{found} arrived; the window stays open and the next run fetches it again")


def harvest_europepmc(client: EuropePMCClient, window: StagedWindow, progress: Progress,
                      max_bytes: int = 16 * 1024 * 1024) -> None:
    manifest = window.manifest
    cursor = manifest.next if isinstance(manifest.next, str) else "*"
    index = len(manifest.batches)
    for page in client.pages(manifest.query, window.since, window.until, cursor):
        kept, refused = screen("europepmc", page.records, page.rejects, max_bytes)
        window.write_batch(f"batch-{index:07d}", kept, refused, page.next_cursor, page.hit_count)
        index += 1
        progress(manifest.fetched + manifest.rejected, page.hit_count)
    if manifest.count is None:   # no page at all: the source has nothing for the window
        manifest.count = 0
    _account(window)


def harvest(settings: Settings, source: str, query: str, since: date, until: date,
            progress: Progress | None = None, requested: str | None = None) -> list[StagedWindow]:
    """Stage `source`'s records for the window (cut in parts when PubMed needs it).
    `requested` ("since_until") names the plan the window is a slice of; default: the window.

    SourceError on failure; its reason is also saved in the manifest of the window it hit, and
    the parts before it stay staged for the loader."""
    progress = progress or (lambda done, total: None)
    if source == "pubmed":
        client, run = PubMedClient(settings), harvest_pubmed
    elif source == "europepmc":
        client, run = EuropePMCClient(settings), harvest_europepmc
    else:
        raise ValueError(f"unknown source {source!r}")
    windows: list[StagedWindow] = []
    requested = requested or f"{since.isoformat()}_{until.isoformat()}"
    _drop_superseded(settings, source, query, since, until, requested)
    window = StagedWindow(settings.staging_dir, source, query, since, until)
    try:
        parts = [(since, until)]
        if source == "pubmed" and not window.manifest.complete:
            try:
                parts = [(a, b) for a, b, _ in client.plan_windows(query, since, until)]
            except SourceError as exc:
                window.manifest.requested = requested
                _fail(window, exc)
                raise
        for part_since, part_until in parts:
            window = StagedWindow(settings.staging_dir, source, query, part_since, part_until)
            windows.append(window)
            if window.manifest.complete:
                continue
            window.manifest.error, window.manifest.requested = None, requested
            window.save()
            try:
                run(client, window, progress, settings.record_max_bytes)
                fulltexts = FullTextClient(settings)
                try:
                    for batch in window.batches():
                        stage_fulltexts(fulltexts, batch, settings)
                finally:
                    fulltexts.close()
            except SourceError as exc:
                _fail(window, exc, client)
                raise
            window.manifest.complete = True
            window.manifest.notes = list(client.http.capped_waits)
            window.save()
    finally:
        client.close()
    return windows


def _drop_superseded(settings: Settings, source: str, query: str, since: date, until: date,
                     requested: str) -> None:
    """Forget unfinished windows of an earlier night that this harvest covers: it fetches their
    records again, and left alone they would be reported as failed every night. The very window
    asked for is kept: the harvest resumes it (a backfill's slice, planned again)."""
    for old in staged_windows(settings.staging_dir):
        m = old.manifest
        if (old.source == source and m.query == query and not m.complete and m.requested
                and m.requested != requested and since <= old.since and old.until <= until
                and (old.since, old.until) != (since, until)):
            log.info("%s %s..%s: superseded by %s; dropped", source, old.since, old.until, requested)
            old.remove()


def _fail(window: StagedWindow, exc: Exception, client=None) -> None:
    window.manifest.error = str(exc)
    if client is not None:
        window.manifest.notes = list(client.http.capped_waits)
    window.save()
