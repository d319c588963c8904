"""Harvest one source over one date window into the staging area, resuming where it stopped.

A window already staged completely is not fetched again. A window left half-done (the process
was killed, or the source failed past its retries) continues from the manifest's next offset or
cursor; when the source now reports a different number of records for the window, the staged
batches are dropped and the window is fetched again from the start.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Callable

from pipeline.config import Settings
from pipeline.models import Quarantined
from pipeline.sources.europepmc import EuropePMCClient
from pipeline.sources.fulltext import stage_fulltexts
from pipeline.sources.fulltext_client import FullTextClient
from pipeline.sources.http import SourceError
from pipeline.sources.pubmed import PubMedClient
from pipeline.staging import StagedWindow

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]   # (records so far, total if known)


def _quarantine(source: str, rejects) -> list[Quarantined]:
    return [Quarantined(source=source, stage="parse", reason=reason, payload=payload,
                        source_id=source_id) for reason, payload, source_id in rejects]


def harvest_pubmed(client: PubMedClient, window: StagedWindow, progress: Progress) -> None:
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
    for batch in client.batches(search, manifest.query, window.since, window.until, start):
        window.write_batch(f"batch-{batch.offset:07d}", batch.records,
                           _quarantine("pubmed", batch.rejects), batch.next_offset, search.count)
        progress(manifest.fetched + manifest.rejected, search.count)


def harvest_europepmc(client: EuropePMCClient, window: StagedWindow, progress: Progress) -> None:
    manifest = window.manifest
    cursor = manifest.next if isinstance(manifest.next, str) else "*"
    index = len(manifest.batches)
    for page in client.pages(manifest.query, window.since, window.until, cursor):
        window.write_batch(f"batch-{index:07d}", page.records,
                           _quarantine("europepmc", page.rejects), page.next_cursor, page.hit_count)
        index += 1
        progress(manifest.fetched + manifest.rejected, page.hit_count)


def harvest(settings: Settings, source: str, query: str, since: date, until: date,
            progress: Progress | None = None) -> StagedWindow:
    """Stage `source`'s records for the window; SourceError (also saved in the manifest) on failure."""
    window = StagedWindow(settings.staging_dir, source, query, since, until)
    if window.manifest.complete:
        return window
    progress = progress or (lambda done, total: None)
    window.manifest.error = None
    window.save()
    if source == "pubmed":
        client, run = PubMedClient(settings), harvest_pubmed
    elif source == "europepmc":
        client, run = EuropePMCClient(settings), harvest_europepmc
    else:
        raise ValueError(f"unknown source {source!r}")
    try:
        run(client, window, progress)
        fulltexts = FullTextClient(settings)
        try:
            for batch in window.batches():
                stage_fulltexts(fulltexts, batch, settings)
        finally:
            fulltexts.close()
    except SourceError as exc:
        window.manifest.error = str(exc)
        window.save()
        raise
    finally:
        client.close()
    window.manifest.complete = True
    window.save()
    return window
