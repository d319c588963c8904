"""A small warehouse for mart and report tests, written straight into the core tables.

The marts only read core.*, ops.* and core.curation, so tests state each study's values
directly (fast, and exact about what a curator or the extractor said) instead of going through
harvest and extraction. The concurrent-snapshot test uses the real loader instead.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import duckdb

T0 = datetime(2025, 3, 1, 2, 0, tzinfo=timezone.utc)


def at(hours: float) -> datetime:
    """A timestamp `hours` after T0, so tests can order runs, extractions and curations."""
    return T0 + timedelta(hours=hours)


def add_run(con: duckdb.DuckDBPyConnection, run_id: str, finished: datetime,
            sources=("pubmed", "europepmc"), status: str = "succeeded") -> None:
    for source in sources:
        con.execute("""INSERT INTO ops.runs (run_id, source, query, started_at, finished_at, status)
                       VALUES (?, ?, 'cryoneurolysis', ?, ?, ?)""",
                    [run_id, source, finished - timedelta(minutes=30), finished, status])


def add_article(con, article_id: str, run_id: str, loaded: datetime, version: int = 1,
                first_author: str = "Smith J", year: int = 2024, title: str | None = None,
                article_hash: str | None = None) -> str:
    """A current article version (the previous version, if any, stops being current)."""
    digest = article_hash or f"hash-{article_id}-v{version}"
    con.execute("UPDATE core.articles SET is_current = false WHERE article_id = ?", [article_id])
    pmid = article_id.split(":", 1)[1]
    con.execute("""INSERT INTO core.articles (article_id, version, is_current, source, source_id, pmid,
                       doi, title, abstract, journal, year, language, first_author, authors,
                       article_hash, raw_hash, run_id, loaded_at)
                   VALUES (?, ?, true, 'pubmed', ?, ?, ?, ?, 'Abstract.', 'Pain Medicine', ?, 'eng',
                           ?, [?], ?, ?, ?, ?)""",
                [article_id, version, pmid, pmid, f"10.5555/{pmid}",
                 title or f"Cryoneurolysis study {pmid}", year, first_author, first_author,
                 digest, f"raw-{digest}", run_id, loaded])
    return digest


def add_extraction(con, article_id: str, run_id: str, extracted: datetime, article_version: int = 1,
                   extractor_version: str = "t1", relevant: bool | None = True, design: str | None = "rct",
                   sample_size: int | None = 40, targets=("genicular nerves",),
                   target_groups=("genicular",), guidance=("ultrasound",),
                   follow_up_days: int | None = 180, responder_pct: float | None = None,
                   responder_threshold_pct: float | None = None, outcome_direction: str | None = "improved",
                   mean_change: float | None = None, outcome_scale: str | None = None,
                   flags=()) -> None:
    con.execute("""INSERT INTO core.extractions (article_id, article_version, extractor_version, relevant,
                       design, sample_size, targets, target_groups, guidance, follow_up_days,
                       outcome_text, responder_pct, responder_threshold_pct, outcome_direction,
                       mean_change, outcome_scale, indication, flags, run_id, extracted_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'Pain improved.', ?, ?, ?, ?, ?,
                           'knee osteoarthritis', ?, ?, ?)""",
                [article_id, article_version, extractor_version, relevant, design, sample_size,
                 list(targets), list(target_groups), list(guidance), follow_up_days, responder_pct,
                 responder_threshold_pct, outcome_direction, mean_change, outcome_scale,
                 json.dumps([{"field": f, "reason": r} for f, r in flags]), run_id, extracted])


def add_study(con, article_id: str, run_id: str = "run-1", when: datetime | None = None,
              first_author: str = "Smith J", year: int = 2024, **extraction) -> None:
    """An article with one extraction, loaded by `run_id`."""
    when = when or at(0)
    add_article(con, article_id, run_id, when, first_author=first_author, year=year)
    add_extraction(con, article_id, run_id, when, **extraction)


def curate(con, article_id: str, field: str, value, when: datetime, curator: str = "ana",
           action: str = "correct", article_hash: str | None = None, old_value=None) -> str:
    """A curator's override; by default made on the record's current content."""
    if article_hash is None:
        article_hash = con.execute("SELECT article_hash FROM core.articles_current WHERE article_id = ?",
                                   [article_id]).fetchone()[0]
    curation_id = f"cur-{article_id}-{field}-{when.isoformat()}"
    con.execute("""INSERT INTO core.curation (curation_id, article_id, field, action, old_value, new_value,
                       curator, reason, curated_at, article_hash)
                   VALUES (?, ?, ?, ?, ?, ?, ?, 'checked the full text', ?, ?)""",
                [curation_id, article_id, field, action, json.dumps(old_value), json.dumps(value),
                 curator, when, article_hash])
    return curation_id


def add_validation_flag(con, article_id: str, column: str, reason: str, run_id: str = "run-1",
                        when: datetime | None = None) -> None:
    con.execute("""INSERT INTO ops.flags VALUES (?, ?, 'extractions', 'expect_column_values_to_be_between',
                       'core.extractions_latest', ?, ?, ?, ?)""",
                [f"flag-{article_id}-{column}", run_id, article_id, column, reason, when or at(0)])


def query(con, sql: str, params=None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
