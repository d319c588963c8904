"""What the report shows, read from the marts (and ops.runs for the run summary).

What: `gather(con, settings, out_dir)` returns one dict the template renders: the last run,
headline counts, the evidence table, the evidence-map cells, follow-up days, what changed and
the curation backlog, plus the relative link to the Great Expectations Data Docs.

Why: the report is a view of the same marts analysts query, so the page and a SQL answer never
disagree; it works on the writer's warehouse or on the read-only published snapshot alike.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from pipeline.config import Settings
from pipeline.warehouse.materialise import mart_relation

# The report lists this many rows of the long tables; the marts (and Parquet exports) hold all.
MAX_ROWS = 500


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def last_run(con: duckdb.DuckDBPyConnection) -> tuple[str | None, list[dict]]:
    """The newest run id and its per-source rows of ops.runs."""
    found = con.execute("""SELECT run_id FROM ops.runs
                           GROUP BY run_id
                           ORDER BY max(coalesce(finished_at, started_at)) DESC NULLS LAST, run_id DESC
                           LIMIT 1""").fetchone()
    if not found:
        return None, []
    return found[0], rows(con, """SELECT source, window_start, window_end, status, fetched, new,
                                         changed, unchanged, quarantined, error, finished_at
                                  FROM ops.runs WHERE run_id = ? ORDER BY source""", [found[0]])


def docs_link(settings: Settings, out_dir: Path) -> tuple[str, bool]:
    """The Data Docs index relative to the report, so the pair can move together."""
    target = Path(settings.docs_dir) / "index.html"
    link = os.path.relpath(target.resolve(), Path(out_dir).resolve())
    return Path(link).as_posix(), target.is_file()


def prisma_flow(con: duckdb.DuckDBPyConnection, run_id: str | None,
                relation: str = "marts.prisma_flow") -> list[dict]:
    """The PRISMA boxes in diagram order: this night's count beside the count over all nights."""
    boxes: dict[tuple, dict] = {}
    for r in rows(con, f"""SELECT run_id, step, stage, box, label, source, records
                           FROM {relation} WHERE run_id IN (?, 'all nights')
                           ORDER BY step, source""", [run_id or "all nights"]):
        box = boxes.setdefault((r["step"], r["source"] or ""), {
            "step": r["step"], "stage": r["stage"], "box": r["box"], "label": r["label"],
            "night": 0, "all": 0})
        box["all" if r["run_id"] == "all nights" else "night"] = r["records"]
    return [boxes[k] for k in sorted(boxes)]


def gather(con: duckdb.DuckDBPyConnection, settings: Settings, out_dir: Path) -> dict:
    """Everything the page shows. Long tables are cut at MAX_ROWS with their totals (the page
    stays the same size whatever the warehouse holds; the exports have every row), and each
    mart is read from its materialised copy when the publish made one (`materialise.py`)."""
    mart = {name: mart_relation(con, name) for name in (
        "evidence_table", "curation_backlog", "whats_new", "studies_by_target_and_design",
        "long_follow_up_responders", "reviews_and_protocols", "prisma_flow",
        "extraction_accuracy")}
    run_id, sources = last_run(con)
    one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    link, docs_exist = docs_link(settings, out_dir)
    evidence_total, patients = con.execute(
        f"SELECT count(*), coalesce(sum(patients), 0) FROM {mart['evidence_table']}").fetchone()
    return {
        "generated_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "run_id": run_id,
        "sources": sources,
        "articles": one("SELECT count(*) FROM core.articles_current"),
        "relevant": evidence_total,
        "patients": patients,
        "designs": con.execute(f"""SELECT design, count(*) FROM {mart['evidence_table']}
                                   GROUP BY design ORDER BY 2 DESC, 1""").fetchall(),
        "evidence": rows(con, f"SELECT * FROM {mart['evidence_table']} LIMIT {MAX_ROWS}"),
        "evidence_total": evidence_total,
        "cells": rows(con, f"SELECT * FROM {mart['studies_by_target_and_design']}"),
        "follow_up_days": [d for (d,) in con.execute(
            f"SELECT follow_up_days FROM {mart['evidence_table']}").fetchall()],
        "responders": rows(con, f"SELECT * FROM {mart['long_follow_up_responders']} "
                                f"LIMIT {MAX_ROWS}"),
        "responders_total": one(f"SELECT count(*) FROM {mart['long_follow_up_responders']}"),
        "reviews": rows(con, f"SELECT * FROM {mart['reviews_and_protocols']} LIMIT {MAX_ROWS}"),
        "reviews_total": one(f"SELECT count(*) FROM {mart['reviews_and_protocols']}"),
        "flow": prisma_flow(con, run_id, mart["prisma_flow"]),
        "accuracy": rows(con, f"SELECT * FROM {mart['extraction_accuracy']}"),
        "changes": rows(con, f"SELECT * FROM {mart['whats_new']} LIMIT {MAX_ROWS}"),
        "changes_total": one(f"SELECT count(*) FROM {mart['whats_new']}"),
        "backlog": rows(con, f"SELECT * FROM {mart['curation_backlog']} LIMIT {MAX_ROWS}"),
        "backlog_total": one(f"SELECT count(*) FROM {mart['curation_backlog']}"),
        "backlog_records": one(f"SELECT count(DISTINCT article_id) FROM {mart['curation_backlog']}"),
        "docs_link": link,
        "docs_exist": docs_exist,
        "published": str(settings.published),
        "max_rows": MAX_ROWS,
    }
