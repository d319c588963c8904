"""Exports of the analysts' marts, written beside the published snapshot.

What: `export_marts(con, directory)` writes one `<mart>.parquet` per view in the `marts` schema
and returns their paths; `export_evidence(con, directory)` writes the review-ready files: the
evidence table as `evidence_table.csv` and `evidence_table.xlsx`, and the included records
(relevant primary studies, reviews and protocols) as `included.ris` for reference managers.
`exports_dir(settings)` is where the nightly run puts them (`warehouse/published/marts/`).

Why: not every analyst tool speaks DuckDB, but pandas, R (arrow), Spark and BI tools all read
Parquet. DuckDB writes it itself (`COPY ... (FORMAT parquet)`), so no pyarrow is needed. Each
file is written under a temporary name and renamed over the old one, so a reader never sees a
half-written export; a file someone holds open keeps its old content (POSIX rename semantics,
as for the snapshot in `publish.py`).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from pipeline.config import Settings
from pipeline.warehouse.ris import to_ris
from pipeline.warehouse.spreadsheets import write_csv, write_xlsx

# The evidence table's columns in the spreadsheet exports, in reading order.
EVIDENCE_COLUMNS = ["study", "design", "patients", "targets", "guidance", "follow_up", "outcome",
                    "indication", "adverse_events", "pubmed_url", "doi_url", "full_text_url",
                    "title", "journal", "year", "pmid", "doi", "preprint_id", "article_id",
                    "target_groups", "follow_up_days", "outcome_scale", "mean_change",
                    "responder_pct", "responder_threshold_pct", "outcome_direction",
                    "curated_fields", "stale_override"]


def exports_dir(settings: Settings) -> Path:
    """Where the nightly run writes the Parquet exports: beside the published snapshot."""
    return Path(settings.published).parent / "marts"


def mart_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The views of the `marts` schema, in name order."""
    rows = con.execute("""SELECT view_name FROM duckdb_views()
                          WHERE schema_name = 'marts' AND NOT internal
                          ORDER BY view_name""").fetchall()
    return [name for (name,) in rows]


def export_marts(con: duckdb.DuckDBPyConnection, directory: Path) -> list[Path]:
    """Write every mart to `directory/<mart>.parquet`, atomically per file; return the paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in mart_names(con):
        target = directory / f"{name}.parquet"
        tmp = directory / f".{name}.parquet.tmp-{os.getpid()}"
        path_literal = str(tmp).replace("'", "''")
        try:
            con.execute(f"COPY (SELECT * FROM marts.{name}) TO '{path_literal}' (FORMAT parquet)")
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        written.append(target)
    return written


def _included(con: duckdb.DuckDBPyConnection) -> list[dict]:
    cursor = con.execute("""
        SELECT s.article_id, s.title, a.authors, s.year, s.journal, s.doi, s.pmid, s.preprint_id,
               a.abstract, s.pubmed_url, s.doi_url, s.full_text_url, s.pdf_url,
               list_distinct(s.target_groups) AS keywords,
               'design: ' || coalesce(s.design, 'not reported') || '; ' || s.publication_kind AS note
        FROM core.studies AS s JOIN core.articles_current AS a ON a.article_id = s.article_id
        WHERE s.relevant
        ORDER BY s.design_rank, s.year DESC NULLS LAST, s.first_author, s.article_id""")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def export_evidence(con: duckdb.DuckDBPyConnection, directory: Path) -> list[Path]:
    """evidence_table.csv / .xlsx and included.ris in `directory`, each written atomically."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rows = con.execute(f"SELECT {', '.join(EVIDENCE_COLUMNS)} FROM marts.evidence_table").fetchall()
    written = [write_csv(directory / "evidence_table.csv", EVIDENCE_COLUMNS, rows),
               write_xlsx(directory / "evidence_table.xlsx", EVIDENCE_COLUMNS, rows, "Evidence table")]
    target = directory / "included.ris"
    tmp = directory / f".included.ris.tmp-{os.getpid()}"
    try:
        tmp.write_text(to_ris(_included(con)), encoding="utf-8", newline="")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return written + [target]
