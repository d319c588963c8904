"""The nightly job, stage by stage: one function per task of the `litmine_nightly` DAG.

    plan_window -> harvest -> extract_batch (per batch) -> load -> validate -> publish

`litmine run` calls these in order in one process; Airflow calls each from its own task,
possibly on different workers, which is why stages hand over through the staging folder and
only `load` (and after it `validate`/`publish`) opens the warehouse for writing.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Settings
from pipeline.fulltext_values import extract_record
from pipeline.models import Article, RawRecord
from pipeline.staging import StagedBatch, StagedWindow, staged_windows, write_atomic
from pipeline.warehouse import db
from pipeline.warehouse.fulltext import stored_fulltexts
from pipeline.warehouse.load import (LoadCounts, load_window, record_idle_run, record_run,
                                     watermark)
from pipeline.warehouse.publish import remove_leftovers, snapshot_beside

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.sources.harvest import Progress

log = logging.getLogger(__name__)

SOURCES = ("pubmed", "europepmc")
REEXTRACT = "reextract"   # the staged "source" of articles re-read by a new extractor version
FULLTEXT_RETRY = "fulltext"   # the staged "source" of articles whose full text is looked for again


def yesterday() -> date:
    # Only whole entrez days are harvested: today's are still arriving.
    return datetime.now(timezone.utc).date() - timedelta(days=1)


def plan_window(settings: Settings, source: str, since: date | None = None,
                until: date | None = None) -> tuple[date, date] | None:
    """The window to harvest: explicit, or from the day after the watermark to yesterday."""
    until = until or yesterday()
    if since is None:
        loaded = None
        if Path(settings.warehouse).exists():
            con = db.connect(settings, read_only=True)
            try:
                loaded = watermark(con, source, settings.query)
            except Exception:  # a warehouse from before the watermarks table: no watermark
                loaded = None
            finally:
                con.close()
        since = loaded + timedelta(days=1) if loaded else settings.harvest_start
    if since > until:
        return None
    return since, until


def harvest_source(settings: Settings, source: str, since: date | None = None,
                   until: date | None = None, progress: Progress | None = None) -> list[str]:
    """Stage the source's new records, slice by slice when the window is long (a first run or
    a backfill: see `pipeline.backfill`); the staged batch files, for extraction."""
    from pipeline.backfill import harvest_slice, plan_slices

    return [batch for part in plan_slices(settings, source, since, until)
            for batch in harvest_slice(settings, part, progress)]


def stage_reextraction(settings: Settings, batch_size: int = 200) -> list[str]:
    """Stage current articles that this extractor version has not read yet.

    They are re-parsed from their stored raw payloads and go through the same extract and load
    steps as new records, so a new extractor version adds extraction rows next to the old ones.
    """
    from pipeline.extract import EXTRACTOR_VERSION

    if not Path(settings.warehouse).exists():
        return []
    unread = """NOT EXISTS (SELECT 1 FROM core.extractions e
                            WHERE e.article_id = a.article_id AND e.article_version = a.version
                              AND e.extractor_version = ?)"""
    con = db.connect(settings, read_only=True)
    try:
        # Most nights nothing is unread: asked first without the raw payloads, which the
        # full question reads from disk (1.5 s at 100k when they are not in the page cache).
        # (As LIMIT 1: DuckDB plans EXISTS or count(*) over this view reading every column.)
        if con.execute(f"SELECT 1 FROM core.articles_current a WHERE {unread} LIMIT 1",
                       [EXTRACTOR_VERSION]).fetchone() is None:
            return []
        rows = con.execute(f"""
            SELECT r.source, r.source_id, r.payload, r.content_type, r.fetched_at::VARCHAR,
                   a.article_id, a.version
            FROM core.articles_current a
            JOIN raw.records r ON r.source = a.source AND r.source_id = a.source_id
                              AND r.content_hash = a.raw_hash
            WHERE {unread}
            ORDER BY a.article_id""", [EXTRACTOR_VERSION]).fetchall()
        # The full texts read before are read again: a new extractor must not drop their values.
        stored = stored_fulltexts(con, [(r[5], r[6]) for r in rows]) if rows else {}
    except Exception:  # a warehouse that predates these tables has nothing to re-extract
        rows, stored = [], {}
    finally:
        con.close()
    if not rows:
        return []
    window, records = _restage(settings, REEXTRACT, rows)
    by_record = {f"{r[0]}:{r[1]}": stored.get((r[5], r[6])) for r in rows}
    for start in range(0, len(records), batch_size):
        batch = window.write_batch(f"batch-{start:07d}", records[start:start + batch_size], [],
                                   start + batch_size, len(records))
        lines = [{"id": a.record_id, **by_record[a.record_id]}
                 for _, a in records[start:start + batch_size] if by_record.get(a.record_id)]
        write_atomic(batch.fulltext_path, "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    window.manifest.complete = True
    window.save()
    return [str(batch.path) for batch in window.batches()]


def stage_fulltext_retries(settings: Settings, batch_size: int = 50) -> list[str]:
    """Stage the current articles whose full text is due another look (a transient failure
    last time, or closed then), fetch it now, and hand them to extract and load like new ones:
    an extraction that gains its full text replaces the abstract-only one."""
    from pipeline.sources.fulltext import stage_fulltexts
    from pipeline.sources.fulltext_client import FullTextClient

    if not Path(settings.warehouse).exists():
        return []
    con = db.connect(settings, read_only=True)
    try:
        rows = con.execute("""
            SELECT r.source, r.source_id, r.payload, r.content_type, r.fetched_at::VARCHAR
            FROM ops.fulltext_status s
            JOIN core.articles_current a USING (article_id)
            JOIN raw.records r ON r.source = a.source AND r.source_id = a.source_id
                              AND r.content_hash = a.raw_hash
            WHERE s.next_try_at IS NOT NULL AND s.next_try_at <= now()
            ORDER BY s.article_id""").fetchall()
    except Exception:  # a warehouse from before full-text states: nothing is due
        rows = []
    finally:
        con.close()
    if not rows:
        return []
    window, records = _restage(settings, FULLTEXT_RETRY, rows)
    client = FullTextClient(settings)
    try:
        for start in range(0, len(records), batch_size):
            batch = window.write_batch(f"batch-{start:07d}", records[start:start + batch_size], [],
                                       start + batch_size, len(records))
            stage_fulltexts(client, batch, settings, recheck=True)
    finally:
        client.close()
    window.manifest.complete = True
    window.save()
    return [str(batch.path) for batch in window.batches()]


def _restage(settings: Settings, source: str, rows) -> tuple[StagedWindow, list]:
    """A fresh staged window of today for stored records (rows start source, source_id,
    payload, content_type, fetched_at), and those records re-parsed."""
    today = datetime.now(timezone.utc).date()
    window = StagedWindow(settings.staging_dir, source, settings.query, today, today)
    window.restart()
    return window, reparse([RawRecord(source=r[0], source_id=r[1], payload=r[2], content_type=r[3],
                                      fetched_at=r[4]) for r in rows])


def reparse(raws: list[RawRecord]) -> list[tuple[RawRecord, Article]]:
    """Articles from stored payloads, with the same parsers the harvest used."""
    from pipeline.parse import europepmc_json, pubmed_xml

    out = []
    pubmed = [r for r in raws if r.source == "pubmed"]
    if pubmed:
        body = ("<PubmedArticleSet>" + "".join(r.payload for r in pubmed)
                + "</PubmedArticleSet>").encode("utf-8")
        by_id = {raw.source_id: (raw, article) for raw, article in pubmed_xml.parse_efetch(body)[0]}
        out += [(r, by_id[r.source_id][1]) for r in pubmed if r.source_id in by_id]
    for raw in raws:
        if raw.source == "europepmc":
            out.append((raw, europepmc_json.parse_record(raw)))
    return out


def _already_extracted(batch: StagedBatch) -> bool:
    from pipeline.extract import EXTRACTOR_VERSION

    done = batch.extractions()
    return bool(done) and len(done) == len(batch.contents()[0]) and all(
        e.get("extractor_version") == EXTRACTOR_VERSION for e in done)


def extract_batch(batch_path: str, extractor=None) -> int:
    """Extract every article of one staged batch, unless this extractor version already did."""
    from pipeline.extract import build_extractor

    batch = StagedBatch(Path(batch_path))
    if _already_extracted(batch):
        return 0
    articles = [article for _, article in batch.articles()]
    extractor = extractor or build_extractor(Settings.from_env().extractor_config)
    fulltexts = batch.fulltexts()
    outputs = []
    for article in articles:
        record = article.extraction_input()
        try:   # from the abstract, and with the full text when one was read
            outputs.append(extract_record(extractor, record, fulltexts.get(record["id"])))
        except Exception as exc:  # one bad record must not stop the batch: quarantine it
            log.exception("extraction failed for %s", record["id"])
            outputs.append({"id": record["id"], "error": f"extraction failed: {exc}"})
    write_atomic(batch.extractions_path,
                 "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in outputs))
    return len(outputs)


def extract_staged(settings: Settings) -> int:
    """Extract every complete staged batch; many batches are spread over every core."""
    batches = [str(b.path) for w in staged_windows(settings.staging_dir) if w.manifest.complete
               for b in w.batches()]
    return extract_batches(batches, settings.extractor_config)


def extract_batches(batch_paths: list[str], config: dict | None = None) -> int:
    """Extract the staged batches this extractor version has not: on every core (a process
    pool whose workers each build the extractor once) when there are enough of them to repay
    starting processes, else in this process. The DAG's extract task runs one group of them."""
    batches = [b for b in batch_paths if not _already_extracted(StagedBatch(Path(b)))]
    if not batches:
        return 0
    from pipeline.extract.parallel import available_cores, process_pool

    workers = min(available_cores(), len(batches))
    if len(batches) >= PARALLEL_BATCHES and workers > 1:
        # spaCy is not imported here first: numpy's import starts a thread, and a process
        # that runs one can no longer fork its workers (a fork server costs a second import)
        with process_pool(workers, config) as pool:
            return sum(pool.map(_extract_batch_in_worker, batches))
    from pipeline.extract import build_extractor
    extractor = build_extractor(config)
    return sum(extract_batch(b, extractor) for b in batches)


# fewer batches than this are not worth starting processes for (each builds the extractor)
PARALLEL_BATCHES = 4
# batches per DAG extract task: a task pays ~2 s (imports, one extractor per core) before its
# first record, so a group holds ~2,000 records (10 batches of 200) rather than one batch
GROUP_BATCHES = 10


def extraction_groups(batch_paths, batches_per_group: int = GROUP_BATCHES) -> list[list[str]]:
    """The night's staged batches cut into groups, one per DAG extract task, in order."""
    paths = [str(p) for p in batch_paths]
    return [paths[i:i + batches_per_group] for i in range(0, len(paths), batches_per_group)]


def _extract_batch_in_worker(batch_path: str) -> int:
    from pipeline.extract.parallel import worker_extractor
    return extract_batch(batch_path, worker_extractor())


def extract_and_load(settings: Settings, run_id: str) -> "LoadSummary":
    """The DAG's load task: extract what the mapped extract tasks did not reach (their
    harvest's sibling failed), then load."""
    extract_staged(settings)
    return load_staged(settings, run_id)


@dataclass
class LoadSummary:
    run_id: str
    sources: dict[str, dict] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def load_staged(settings: Settings, run_id: str) -> LoadSummary:
    """Load every completely staged window; record half-harvested ones as failed runs."""
    from pipeline.runlog import import_failures

    summary = LoadSummary(run_id=run_id)
    con = db.connect(settings)
    try:
        import_failures(con, settings)
        load_windows(con, staged_windows(settings.staging_dir), run_id, summary)
        for source in SOURCES:
            if source not in summary.sources and source not in summary.failed:
                record_idle_run(con, run_id, source, settings.query)
    finally:
        con.close()
    return summary


def load_windows(con, windows: list[StagedWindow], run_id: str, summary: LoadSummary) -> None:
    """Load the complete windows, each in its own transaction, into `summary`; record
    half-harvested ones (and any whose load fails) as failed, and keep them staged."""
    for window in windows:
        if window.manifest.complete:
            try:
                counts = load_window(con, window, run_id)
            except Exception as exc:   # kept staged; the other windows still load
                log.exception("loading %s failed", window.dir)
                reason = f"load failed: {exc}"
                summary.failed[window.source] = reason
                record_run(con, run_id, window, LoadCounts(), "failed", None, reason)
                continue
            previous = summary.sources.get(window.source, asdict(LoadCounts()))
            summary.sources[window.source] = {k: previous[k] + v for k, v in asdict(counts).items()}
        elif window.manifest.error:
            # Kept staged: the next run resumes it. The reason goes where operators look.
            summary.failed[window.source] = window.manifest.error
            record_run(con, run_id, window, LoadCounts(fetched=window.manifest.fetched),
                       "failed", None, window.manifest.error)


def validate(settings: Settings, run_id: str, all_rows: bool = False):
    """Run the expectation suites over what changed (every row with `all_rows`); flags rows,
    raises ValidationFailed on a bad table."""
    from pipeline.validate import raise_for_table_failures, validate_warehouse

    con = db.connect(settings)
    try:
        report = validate_warehouse(con, settings, run_id, all_rows=all_rows)
    finally:
        con.close()
    raise_for_table_failures(report)
    return report


def publish(settings: Settings) -> str:
    """Apply curators' queued saves; swap in the analysts' snapshot; refresh the exports (Parquet,
    CSV, XLSX, RIS) and the HTML report."""
    from pipeline.curate.inbox import apply_inbox
    from pipeline.report import report_dir, write_report
    from pipeline.warehouse.exports import exports_dir, refresh_evidence, refresh_marts
    from pipeline.warehouse.materialise import mart_cache, materialised_marts

    con = db.connect(settings)
    try:
        apply_inbox(con, settings)      # saves made while the night held the warehouse
        for path in remove_leftovers([Path(settings.published).parent, report_dir(settings)]):
            log.warning("removed %s, left by a publish that did not finish", path)
        # The snapshot is brought up to date on a second connection while the exports are
        # written. Each mart is computed once for the exports and the report, or reused when
        # nothing it reads changed; each export file is rewritten only when what it holds changed.
        with snapshot_beside(con, settings.published, mart_cache(settings) / "snapshot") as tables, \
                materialised_marts(con, mart_cache(settings), tables):
            refresh_marts(con, exports_dir(settings))
            refresh_evidence(con, exports_dir(settings), tables, mart_cache(settings))
            write_report(con, settings, report_dir(settings))
        return str(settings.published)
    finally:
        con.close()


def harvest_all(settings: Settings, since: date | None, until: date | None,
                progress_for=None) -> dict[str, str]:
    """Harvest every source, and the full texts due another look, side by side (as the DAG's
    harvest tasks run); a source that fails is reported, the others go on. Each service is
    asked no faster than it allows: clients of one service share its rate (`sources.http`)."""
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.sources.http import SourceError

    def harvest(source: str) -> dict[str, str]:
        try:
            harvest_source(settings, source, since, until,
                           progress=progress_for(source) if progress_for else None)
        except SourceError as exc:
            log.error("%s harvest failed: %s", source, exc)
            return {source: str(exc)}
        return {}

    with ThreadPoolExecutor(len(SOURCES) + 1, thread_name_prefix="litmine-harvest") as pool:
        jobs = [pool.submit(harvest, source) for source in SOURCES]
        jobs.append(pool.submit(retry_fulltexts, settings))
        return {source: error for job in jobs for source, error in job.result().items()}


def retry_fulltexts(settings: Settings) -> dict[str, str]:
    """Stage the full texts due another look; a failure is reported, not raised."""
    from pipeline.sources.http import SourceError

    try:
        stage_fulltext_retries(settings)
    except SourceError as exc:
        log.error("full-text retries failed: %s", exc)
        return {FULLTEXT_RETRY: str(exc)}
    return {}


def new_run_id() -> str:
    return "run-" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
