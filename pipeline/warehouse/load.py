"""Load staged windows into the warehouse: raw -> core, extractions, quarantine, runs, watermark.

Each window is loaded in one transaction, so a kill mid-load leaves the warehouse as it was.
Loading is idempotent: a raw payload already stored is skipped by its content hash; an article
whose content is unchanged keeps its version; an extraction already stored for the same article
version and extractor version is skipped; a window whose run is already recorded as loaded is
not loaded again. A work is recognised by PMID, then DOI, then preprint id, so the same study
reached twice is one row, and a record whose content changed becomes a new version of it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, fields
from datetime import date, timedelta

import duckdb

from pipeline.models import SOURCES, Article, Quarantined, content_hash, utc_now
from pipeline.staging import StagedWindow, query_hash
from pipeline.warehouse.db import bulk_insert, transaction
from pipeline.warehouse.fulltext import fulltext_rows, location_rows, source_rows, status_row

log = logging.getLogger(__name__)


@dataclass
class LoadCounts:
    fetched: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    quarantined: int = 0
    extractions: int = 0


# What article_hash reads: the full-text link is left out, since a PDF that moved is not a
# changed study (it is refreshed in place), while the raw layer keeps both.
_HASHED = tuple(f.name for f in fields(Article) if f.name not in ("raw_hash", "pdf_url"))


def article_hash(article: Article) -> str:
    """Hash of what the record says about the work (the fields in _HASHED). Read straight from
    the article: `asdict`'s deep copy was a quarter of a millisecond per record, the same JSON."""
    content = {name: getattr(article, name) for name in _HASHED}
    return content_hash(json.dumps(content, sort_keys=True, ensure_ascii=False))


def _keys(pmid, doi, preprint_id) -> list[tuple[str, str]]:
    """A work's (kind, value) identifiers, those it has."""
    return [(kind, value) for kind, value in (("pmid", pmid), ("doi", doi),
                                              ("preprint_id", preprint_id)) if value]


class CurrentArticles:
    """The current version of every work, found by any of its identifiers.

    Looked up per batch (`know`): only the works that share an identifier with the batch's
    records are read, so a night's load costs what the night brings, not the warehouse's size.
    Works decided earlier in the window are kept in memory and win over what the table says."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.by_key: dict[tuple[str, str], tuple[str, int, str]] = {}
        self.asked: set[tuple[str, str]] = set()

    def know(self, articles) -> None:
        """Read the current works known by any identifier of `articles` not yet asked about."""
        wanted = {key for article in articles for key in article.work_keys} - self.asked
        if not wanted:
            return
        self.asked |= wanted
        by_kind = {kind: sorted(v for k, v in wanted if k == kind)
                   for kind in ("pmid", "doi", "preprint_id")}
        rows = self.con.execute("""
            SELECT article_id, version, article_hash, pmid, lower(doi), preprint_id
            FROM core.articles_current
            WHERE pmid IN (SELECT unnest($pmid::VARCHAR[]))
               OR lower(doi) IN (SELECT unnest($doi::VARCHAR[]))
               OR preprint_id IN (SELECT unnest($preprint_id::VARCHAR[]))""", by_kind).fetchall()
        for article_id, version, digest, pmid, doi, preprint_id in rows:
            for key in _keys(pmid, doi, preprint_id):
                if key in wanted:
                    self.by_key.setdefault(key, (article_id, version, digest))

    def _remember(self, article_id, version, digest, pmid, doi, preprint_id) -> None:
        for key in _keys(pmid, doi, preprint_id):
            self.by_key[key] = (article_id, version, digest)
            self.asked.add(key)

    def find(self, article: Article) -> tuple[str, int, str] | None:
        for key in article.work_keys:
            if key in self.by_key:
                return self.by_key[key]
        return None

    def update(self, article: Article, article_id: str, version: int, digest: str) -> None:
        self._remember(article_id, version, digest, article.pmid,
                       article.doi.lower() if article.doi else None, article.preprint_id)


def new_article_id(article: Article) -> str:
    kind, value = article.work_keys[0] if article.work_keys else (article.source, article.source_id)
    return f"{kind}:{value}"


def decide_article(index: CurrentArticles, article: Article, run_id: str, loaded_at) -> tuple[str, str, int, list | None]:
    """("new" | "changed" | "unchanged", article_id, version, row to insert or None)."""
    digest = article_hash(article)
    known = index.find(article)
    if known and known[2] == digest:
        return "unchanged", known[0], known[1], None
    if known:
        article_id, version, state = known[0], known[1] + 1, "changed"
    else:
        article_id, version, state = new_article_id(article), 1, "new"
    index.update(article, article_id, version, digest)
    row = [article_id, version, True, article.source, article.source_id, article.pmid, article.doi,
           article.preprint_id, article.pmcid, article.title, article.abstract, article.journal,
           article.year, article.language, article.first_author, article.authors,
           article.publication_types, article.mesh_terms, json.dumps(article.abstract_sections),
           article.entrez_date, article.pdf_url, digest, article.raw_hash, run_id, loaded_at]
    return state, article_id, version, row


def extraction_rows(article_id: str, version: int, extraction: dict, run_id: str,
                    extracted_at) -> tuple[list, list[list]]:
    """The core.extractions row and core.evidence rows of one extraction."""
    extractor_version = extraction["extractor_version"]
    outcome = extraction.get("outcome") or {}
    row = [article_id, version, extractor_version, extraction.get("relevant"),
           extraction.get("design"), extraction.get("sample_size"), extraction.get("targets") or [],
           extraction.get("target_groups") or [], extraction.get("guidance") or [],
           extraction.get("follow_up_days"), outcome.get("text"), outcome.get("responder_pct"),
           outcome.get("responder_threshold_pct"), outcome.get("mean_change"), outcome.get("scale"),
           outcome.get("direction"), extraction.get("indication"), extraction.get("adverse_events"),
           json.dumps(extraction.get("flags") or []), run_id, extracted_at]
    evidence = [[article_id, version, extractor_version, field, ordinal, item["text"],
                 item["start"], item["end"], item["rule"], float(item["confidence"])]
                for field, items in (extraction.get("evidence") or {}).items()
                for ordinal, item in enumerate(items)]
    return row, evidence


def quarantine_row(quarantined: Quarantined, run_id: str, created_at) -> list:
    return [quarantined.hash, run_id, quarantined.source, quarantined.stage,
            quarantined.source_id, quarantined.reason, quarantined.payload, created_at]


def load_batch(con, index: CurrentArticles, batch, run_id: str, counts: LoadCounts) -> None:
    """One staged batch in a handful of set-based statements."""
    now = utc_now()
    records, rejected = batch.contents()
    extraction_list = batch.extractions()
    # Extractions are written one per article line, in order: pair them by position, so two
    # versions of one record in a batch each keep their own. By id only for an older layout.
    by_position = len(extraction_list) == len(records) and all(
        e.get("id") == article.record_id for e, (_, article) in zip(extraction_list, records))
    extractions = {e.get("id"): e for e in extraction_list}
    fulltexts = batch.fulltexts()
    fulltext = {"core.pdf_documents": [], "core.pdf_tables": [], "core.evidence_rows": []}
    raws, articles, superseded, results, evidence, quarantine = [], [], set(), [], [], []
    locations, sources, statuses, with_full_text = [], [], [], []
    attempts = _previous_attempts(con, fulltexts)
    moved_links: dict[str, str] = {}
    latest: dict[str, int] = {}
    index.know(article for _, article in records)
    for position, (raw, article) in enumerate(records):
        counts.fetched += 1
        raws.append([raw.source, raw.source_id, raw.hash, raw.content_type, raw.payload,
                     raw.fetched_at, run_id])
        state, article_id, version, row = decide_article(index, article, run_id, now)
        setattr(counts, state, getattr(counts, state) + 1)
        if state == "unchanged" and article.pdf_url:
            moved_links[article_id] = article.pdf_url
        if row:
            if state == "changed":
                superseded.add(article_id)
            if article_id in latest:      # the same work twice in one batch: last one is current
                articles[latest[article_id]][2] = False
            latest[article_id] = len(articles)
            articles.append(row)
        record_id = article.record_id
        staged = fulltexts.get(record_id)
        if staged:
            statuses.append(status_row(article_id, article, staged,
                                       attempts.get((article.source, article.source_id), 0), run_id, now))
        if staged and "quarantine" in staged:
            quarantine.append(quarantine_row(Quarantined(**staged["quarantine"]), run_id, now))
        elif staged and "parsed" in staged:
            for table, rows in fulltext_rows(article_id, version, staged, run_id, now).items():
                fulltext[table].extend(rows)
        extraction = extraction_list[position] if by_position else extractions.get(record_id)
        if extraction and "error" in extraction:
            quarantine.append(quarantine_row(Quarantined(
                source=article.source, stage="extract", reason=extraction["error"],
                payload=json.dumps(article.extraction_input()), source_id=article.source_id),
                run_id, now))
        elif extraction:
            row, items = extraction_rows(article_id, version, extraction, run_id, now)
            results.append(row)
            evidence.extend(items)
            locations.extend(location_rows(article_id, version, extraction))
            sources.extend(source_rows(article_id, version, extraction))
            if extraction.get("field_sources"):
                with_full_text.append((article_id, version, extraction["extractor_version"]))
    quarantine += [quarantine_row(q, run_id, now) for q in rejected]
    counts.quarantined += len(quarantine)
    bulk_insert(con, "raw.records", raws)
    if superseded:
        con.execute("UPDATE core.articles SET is_current = false WHERE is_current AND "
                    "list_contains(?, article_id)", [sorted(superseded)])
    bulk_insert(con, "core.articles", articles, on_conflict="DO NOTHING")
    if moved_links:
        con.execute("""UPDATE core.articles a SET pdf_url = m.pdf_url
                       FROM (SELECT unnest(?) AS article_id, unnest(?) AS pdf_url) m
                       WHERE a.article_id = m.article_id AND a.is_current
                         AND a.pdf_url IS DISTINCT FROM m.pdf_url""",
                    [list(moved_links), list(moved_links.values())])
    before = con.execute("SELECT count(*) FROM core.extractions").fetchone()[0]
    replace_abstract_only(con, with_full_text)
    bulk_insert(con, "core.extractions", results)
    counts.extractions += con.execute("SELECT count(*) FROM core.extractions").fetchone()[0] - before
    bulk_insert(con, "core.evidence", evidence)
    bulk_insert(con, "core.evidence_locations", locations)
    bulk_insert(con, "core.extraction_sources", sources)
    bulk_insert(con, "ops.fulltext_status", statuses, on_conflict=(
        "(article_id) DO UPDATE SET source = excluded.source, source_id = excluded.source_id, "
        "status = excluded.status, format = excluded.format, url = excluded.url, "
        "reason = excluded.reason, attempts = excluded.attempts, "
        "last_tried_at = excluded.last_tried_at, next_try_at = excluded.next_try_at, "
        "run_id = excluded.run_id"))
    bulk_insert(con, "ops.quarantine", quarantine)
    for table, rows in fulltext.items():
        bulk_insert(con, table, rows)


def _previous_attempts(con, fulltexts: dict) -> dict[tuple[str, str], int]:
    """Transient full-text failures so far, by (source, source_id), for the batch's records."""
    if not fulltexts:
        return {}
    ids = [record_id.partition(":")[2] for record_id in fulltexts]
    rows = con.execute("""SELECT source, source_id, attempts FROM ops.fulltext_status
                          WHERE status = 'retry' AND list_contains(?, source_id)""", [ids]).fetchall()
    return {(source, source_id): n for source, source_id, n in rows}


def replace_abstract_only(con, keys: list[tuple[str, int, str]]) -> None:
    """Drop stored extractions of these (article, version, extractor) that were read from the
    abstract alone: the full text arrived later (a retried or newly open text), and its
    extraction replaces them, value and evidence together. One read with the full text is kept."""
    if not keys:
        return
    for table in ("core.evidence", "core.evidence_locations", "core.extractions"):
        con.execute(f"""DELETE FROM {table} t USING
                           (SELECT unnest(?) AS article_id, unnest(?) AS article_version,
                                   unnest(?) AS extractor_version) k
                        WHERE t.article_id = k.article_id AND t.article_version = k.article_version
                          AND t.extractor_version = k.extractor_version
                          AND NOT EXISTS (SELECT 1 FROM core.extraction_sources s
                                          WHERE s.article_id = k.article_id
                                            AND s.article_version = k.article_version
                                            AND s.extractor_version = k.extractor_version)""",
                    [[k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]])


def watermark(con, source: str, query: str):
    row = con.execute("SELECT loaded_through FROM ops.watermarks WHERE source = ? AND query_hash = ?",
                      [source, query_hash(query)]).fetchone()
    return row[0] if row else None


def advance_watermark(con, source: str, query: str, since, until, run_id: str = "",
                      counted: int | None = None, start=None) -> None:
    """Record the window as loaded, then move the watermark to the end of the loaded windows that
    join on to it. Without a watermark yet, the joined-up windows must begin at `start`, the
    first day of the backfill the window is a slice of (default: the window's own first day), so
    a later slice loaded first never carries the watermark over an earlier one still missing."""
    digest = query_hash(query)
    record_loaded(con, source, query, since, until, run_id, counted)
    current = watermark(con, source, query)
    reach = current if current is not None else (start or since) - timedelta(days=1)
    joined = con.execute("""SELECT window_start, window_end FROM ops.loaded_windows
                            WHERE source = ? AND query_hash = ? AND window_end > ?
                            ORDER BY window_start""", [source, digest, reach]).fetchall()
    moved = False
    for window_start, window_end in joined:
        if window_start > reach + timedelta(days=1):
            break      # a gap: a window not loaded yet
        reach, moved = max(reach, window_end), True
    if moved:
        con.execute("INSERT OR REPLACE INTO ops.watermarks VALUES (?, ?, ?, ?, ?)",
                    [source, digest, query, reach, utc_now()])


def record_loaded(con, source: str, query: str, since, until, run_id: str,
                  counted: int | None = None) -> None:
    con.execute("INSERT OR REPLACE INTO ops.loaded_windows VALUES (?, ?, ?, ?, ?, ?, ?)",
                [source, query_hash(query), since, until, run_id, counted, utc_now()])


def requested_start(window: StagedWindow):
    """The first day of the harvest (or backfill) the window is part of."""
    first = window.manifest.requested.partition("_")[0]
    return date.fromisoformat(first) if first else window.since


def record_run(con, run_id: str, window: StagedWindow, counts: LoadCounts, status: str,
               started_at, error: str | None = None) -> None:
    """The run's row for the window's source; a source harvested in several windows (a window
    split at PubMed's ceiling) adds them up, and fails if any of them failed."""
    m = window.manifest
    con.execute("""INSERT INTO ops.runs (run_id, source, query, window_start, window_end,
                       started_at, finished_at, status, fetched, new, changed, unchanged,
                       quarantined, error, counted, notes)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (run_id, source) DO UPDATE SET
                       window_start = least(ops.runs.window_start, excluded.window_start),
                       window_end = greatest(ops.runs.window_end, excluded.window_end),
                       finished_at = excluded.finished_at,
                       status = CASE WHEN 'failed' IN (ops.runs.status, excluded.status)
                                     THEN 'failed' ELSE excluded.status END,
                       fetched = ops.runs.fetched + excluded.fetched,
                       new = ops.runs.new + excluded.new,
                       changed = ops.runs.changed + excluded.changed,
                       unchanged = ops.runs.unchanged + excluded.unchanged,
                       quarantined = ops.runs.quarantined + excluded.quarantined,
                       error = coalesce(excluded.error, ops.runs.error),
                       counted = coalesce(ops.runs.counted, 0) + coalesce(excluded.counted, 0),
                       notes = coalesce(excluded.notes, ops.runs.notes)""",
                [run_id, m.source, m.query, window.since, window.until, started_at or m.started_at,
                 utc_now(), status, counts.fetched, counts.new, counts.changed, counts.unchanged,
                 counts.quarantined, error, m.count, "; ".join(m.notes) or None])


def already_loaded(con, run_id: str, window: StagedWindow) -> bool:
    """This run loaded this very window already (the load committed, then the process died
    before the staged copy was removed)."""
    row = con.execute("""SELECT 1 FROM ops.loaded_windows WHERE source = ? AND query_hash = ?
                         AND window_start = ? AND window_end = ? AND run_id = ?""",
                      [window.source, query_hash(window.manifest.query), window.since,
                       window.until, run_id]).fetchone()
    return row is not None


def load_window(con, window: StagedWindow, run_id: str) -> LoadCounts:
    """Load one completely staged window, then remove it from staging."""
    if not window.manifest.complete:
        raise ValueError(f"{window.dir} is not completely harvested; harvest it before loading")
    counts = LoadCounts()
    if already_loaded(con, run_id, window):
        window.remove()
        return counts
    started = utc_now()
    with transaction(con):
        index = CurrentArticles(con)
        for batch in window.batches():
            load_batch(con, index, batch, run_id, counts)
        record_run(con, run_id, window, counts, "succeeded", started)
        if window.source in SOURCES:   # re-extraction batches are not a harvest window
            advance_watermark(con, window.source, window.manifest.query, window.since,
                              window.until, run_id, window.manifest.count, requested_start(window))
        else:
            record_loaded(con, window.source, window.manifest.query, window.since, window.until,
                          run_id, window.manifest.count)
    log.info("%s %s..%s: %s", window.source, window.since, window.until, counts)
    window.remove()
    return counts


def record_idle_run(con, run_id: str, source: str, query: str) -> None:
    """A run that found nothing to harvest for `source` (its watermark is at yesterday)."""
    con.execute("""INSERT INTO ops.runs (run_id, source, query, started_at, finished_at, status)
                   VALUES (?, ?, ?, ?, ?, 'succeeded') ON CONFLICT DO NOTHING""",
                [run_id, source, query, utc_now(), utc_now()])
