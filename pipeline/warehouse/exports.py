"""Exports of the analysts' marts, written beside the published snapshot, refreshed by change.

What: `refresh_marts(con, directory)` keeps one Parquet export per view in the `marts` schema
and says which files it rewrote; `export_marts` returns just the paths. A mart with a
publication `year` column is a Hive-partitioned dataset, `<mart>.parquet/year=2023/data.parquet`
(`year=__HIVE_DEFAULT_PARTITION__` for records without a year); any other mart is one file,
`<mart>.parquet`. DuckDB reads either with `FROM 'marts/<mart>.parquet'`, pandas and R (arrow)
read the folder as one table. `refresh_evidence(con, directory)` keeps the review-ready files:
the evidence table as `evidence_table.csv` and `evidence_table.xlsx`, and the included records
(relevant primary studies, reviews and protocols) as `included.ris`; `export_evidence` returns
their paths. `exports_dir(settings)` is where the nightly run puts them.

Why partitions, and by publication year: a file is rewritten only when a fingerprint of what it
holds (row count and the sum of DuckDB's row hashes) differs from the one recorded in
`.litmine-exports.json` last time, so a quiet night rewrites nothing and a night with new
records rewrites the few years they were published in. Publication year rather than load date:
new records and updates land in the last year or two, so few partitions change; curator edits
and re-extractions of old records rewrite only those records' years; the number of partitions
stays near the span of years (tens) instead of growing by one small file every night; and year
is what analysts filter a review on. The spreadsheet and RIS files stay single files, as the
people who open them expect (a spreadsheet or a reference manager wants one file, and a new
study sorts into the middle of it, so there is nothing to append to): they are skipped when
their rows did not change, and otherwise written whole but cheaply: the CSV and XLSX cells and
the RIS records rendered by DuckDB (`sheet_sql.py`, `ris_sql.py`), so memory does not grow
with them. Each file is written under a temporary name and renamed over the old one, so a
reader never sees a half-written file; the manifest is written last, so a publish killed
halfway is finished by the next one. The atomic, consistent view of
all tables at once is the DuckDB snapshot (`publish.py`); the Parquet folder may mix two nights'
partitions for the moment the renames take.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline.config import Settings
from pipeline.warehouse.db import sql_string
from pipeline.warehouse.materialise import (inputs_fingerprint, mart_names, mart_relation,
                                           reading_shared)
from pipeline.warehouse.ris_sql import write_ris_spliced, write_ris_table
from pipeline.warehouse.sheet_sql import write_csv_query, write_xlsx_query

# The evidence table's columns in the spreadsheet exports, in reading order.
EVIDENCE_COLUMNS = ["study", "design", "patients", "targets", "guidance", "follow_up", "outcome",
                    "indication", "adverse_events", "pubmed_url", "doi_url", "full_text_url",
                    "title", "journal", "year", "pmid", "doi", "preprint_id", "article_id",
                    "target_groups", "follow_up_days", "outcome_scale", "mean_change",
                    "responder_pct", "responder_threshold_pct", "outcome_direction",
                    "curated_fields", "stale_override"]
PARTITION_COLUMN = "year"
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"    # Hive's (and DuckDB's) name for a NULL key
MANIFEST = ".litmine-exports.json"
_INCLUDED = "_litmine_included"                  # temp table: the included records, read once



@dataclass
class Refresh:
    paths: list[Path]                             # every export, changed or not
    rewritten: list[Path] = field(default_factory=list)   # the files this refresh wrote


def exports_dir(settings: Settings) -> Path:
    """Where the nightly run writes the Parquet exports: beside the published snapshot."""
    return Path(settings.published).parent / "marts"


def _load_manifest(directory: Path) -> dict:
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    # Row hashes are DuckDB's: another DuckDB version may hash differently, so start afresh.
    return manifest if manifest.get("duckdb") == duckdb.__version__ else {}


def _save_manifest(directory: Path, manifest: dict) -> None:
    tmp = directory / f".{MANIFEST}.tmp-{os.getpid()}"
    tmp.write_text(json.dumps({**manifest, "duckdb": duckdb.__version__}, indent=1, sort_keys=True))
    os.replace(tmp, directory / MANIFEST)


def _copy_out(con: duckdb.DuckDBPyConnection, select: str, target: Path, params=None) -> None:
    """COPY a query to `target` as Parquet, atomically (temporary name, then rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        con.execute(f"COPY ({select}) TO {sql_string(tmp)} (FORMAT parquet)", params or [])
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _partitions(con: duckdb.DuckDBPyConnection, mart: str, partitioned: bool) -> dict[str, list]:
    """{partition name: [rows, hash sum]} of the mart ("" when unpartitioned)."""
    key = f"{PARTITION_COLUMN}::VARCHAR" if partitioned else "''"
    rows = con.execute(f"""SELECT {key} AS part, count(*), sum(hash(m)::HUGEINT)::VARCHAR
                           FROM {mart} AS m GROUP BY ALL""").fetchall()
    return {(NULL_PARTITION if part is None else part): [n, total] for part, n, total in rows}


def _refresh_mart(con, directory: Path, name: str, known: dict) -> tuple[Path, list[Path], dict]:
    mart = mart_relation(con, name)     # computed once per publish when materialised
    columns = {c for (c, *_) in con.execute(f"DESCRIBE SELECT * FROM {mart}").fetchall()}
    partitioned = PARTITION_COLUMN in columns
    target = directory / f"{name}.parquet"
    parts = _partitions(con, mart, partitioned)
    rewritten: list[Path] = []
    if not partitioned:
        if target.is_dir():
            shutil.rmtree(target)                  # was partitioned under an older mart SQL
        if known.get("") != parts.get("", [0, "0"]) or not target.is_file():
            _copy_out(con, f"SELECT * FROM {mart}", target)
            rewritten.append(target)
        return target, rewritten, {"": parts.get("", [0, "0"])}
    if target.is_file():
        target.unlink()                            # a single file from before partitioning
    # An empty mart still gets one (empty) file, which keeps its columns for readers.
    parts = parts or {NULL_PARTITION: [0, "0"]}
    for part, fingerprint in sorted(parts.items()):
        file = target / f"{PARTITION_COLUMN}={part}" / "data.parquet"
        if known.get(part) == fingerprint and file.is_file():
            continue
        where = f"{PARTITION_COLUMN} IS NULL" if part == NULL_PARTITION else \
            f"{PARTITION_COLUMN}::VARCHAR = ?"
        _copy_out(con, f"SELECT * FROM {mart} WHERE {where}", file,
                  [] if part == NULL_PARTITION else [part])
        rewritten.append(file)
    for folder in target.glob(f"{PARTITION_COLUMN}=*"):
        if folder.name.split("=", 1)[1] not in parts:   # no record of that year any more
            shutil.rmtree(folder)
    return target, rewritten, parts


def refresh_marts(con: duckdb.DuckDBPyConnection, directory: Path) -> Refresh:
    """Bring every mart's Parquet export up to date, rewriting only what changed."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    manifest = _load_manifest(directory)
    known = manifest.get("marts", {})
    result, fingerprints = Refresh(paths=[]), {}
    for name in mart_names(con):
        path, rewritten, fingerprints[name] = _refresh_mart(con, directory, name,
                                                            known.get(name, {}))
        result.paths.append(path)
        result.rewritten += rewritten
    _save_manifest(directory, {**manifest, "marts": fingerprints})
    return result


def export_marts(con: duckdb.DuckDBPyConnection, directory: Path) -> list[Path]:
    """Every mart's Parquet export in `directory` (see `refresh_marts`); return the paths."""
    return refresh_marts(con, directory).paths


INCLUDED_SQL = """
    SELECT s.article_id, s.title, a.authors, s.year, s.journal, s.doi, s.pmid, s.preprint_id,
           a.abstract, s.pubmed_url, s.doi_url, s.full_text_url, s.pdf_url,
           list_distinct(s.target_groups) AS keywords,
           'design: ' || coalesce(s.design, 'not reported') || '; ' || s.publication_kind AS note
    FROM core.studies AS s JOIN core.articles_current AS a ON a.article_id = s.article_id
    WHERE s.relevant
    ORDER BY s.design_rank, s.year DESC NULLS LAST, s.first_author, s.article_id"""


def _fingerprint(con: duckdb.DuckDBPyConnection, sql: str) -> list:
    n, total = con.execute(f"SELECT count(*), coalesce(sum(hash(r)::HUGEINT), 0)::VARCHAR "
                           f"FROM ({sql}) AS r").fetchone()
    return [n, total]


def refresh_evidence(con: duckdb.DuckDBPyConnection, directory: Path,
                     tables: dict[str, object] | None = None, cache: Path | None = None) -> Refresh:
    """evidence_table.csv / .xlsx and included.ris in `directory`, each written atomically and
    only when its rows changed since the last refresh (or the file is missing). With `tables`
    (every table's fingerprint, from the snapshot update), the included records are not even
    queried when none of the tables they are read from changed. With `cache` (the writer's
    folder for derived data), the RIS file keeps an index there and a change renders only the
    records it adds or alters (`splice.py`)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    manifest = _load_manifest(directory)
    known = manifest.get("evidence", {})
    csv_path, xlsx_path, ris_path = (directory / "evidence_table.csv",
                                     directory / "evidence_table.xlsx", directory / "included.ris")
    evidence_sql = f"SELECT {', '.join(EVIDENCE_COLUMNS)} FROM {mart_relation(con, 'evidence_table')}"
    result = Refresh(paths=[csv_path, xlsx_path, ris_path])
    fingerprints = {"evidence_table": _fingerprint(con, evidence_sql),
                    "included_inputs": inputs_fingerprint(con, INCLUDED_SQL, tables)}
    if known.get("evidence_table") != fingerprints["evidence_table"] or \
            not (csv_path.is_file() and xlsx_path.is_file()):
        write_csv_query(con, csv_path, evidence_sql)
        write_xlsx_query(con, xlsx_path, evidence_sql, "Evidence table")
        result.rewritten += [csv_path, xlsx_path]
    unchanged_inputs = fingerprints["included_inputs"] is not None and \
        known.get("included_inputs") == fingerprints["included_inputs"]
    if unchanged_inputs and ris_path.is_file():
        fingerprints["included"] = known.get("included")
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_INCLUDED} AS "
                    f"{reading_shared(con, INCLUDED_SQL)}")
        try:
            fingerprints["included"] = _fingerprint(con, f"SELECT * FROM {_INCLUDED}")
            if known.get("included") != fingerprints["included"] or not ris_path.is_file():
                if cache is None:
                    write_ris_table(con, ris_path, _INCLUDED)
                else:
                    write_ris_spliced(con, ris_path, _INCLUDED,
                                      Path(cache) / "included.ris.index.parquet")
                result.rewritten.append(ris_path)
        finally:
            con.execute(f"DROP TABLE IF EXISTS {_INCLUDED}")
    _save_manifest(directory, {**_load_manifest(directory), "evidence": fingerprints})
    return result


def export_evidence(con: duckdb.DuckDBPyConnection, directory: Path) -> list[Path]:
    """evidence_table.csv / .xlsx and included.ris in `directory` (see `refresh_evidence`)."""
    return refresh_evidence(con, directory).paths
