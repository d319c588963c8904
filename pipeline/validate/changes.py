"""Which rows a night's validation must look at: the ones not yet validated as they are now.

What: every row of a suite's frame has a fingerprint, DuckDB's `hash()` of the whole frame row
together with the ids of the curator actions on its record. `ops.validated_rows` keeps, per
suite and record, the fingerprint that was last validated. `find_pending(con, spec, full)`
puts the rows whose fingerprint is not there (all rows when `full`) into a temp table and
returns how many records that is; `pending_frames(con, spec)` yields them as pandas frames of
at most CHUNK_RECORDS records, for Great Expectations; `remember_pending(con, spec, full)` records
them as validated and must run in the transaction that writes their flags.
`suite_fingerprint(...)` is the content hash that decides when a suite needs a full pass.
Pending records are chunked so that even a full pass keeps pandas/GX memory bounded.

Why fingerprints and not a `loaded_at` high-water mark: rows change in ways a timestamp misses.
A re-extraction adds a newer extraction for an old article (a new row of `extractions_latest`,
`extracted_at` new but the article old); full text arriving replaces an extraction under the
same key; a curator's save queued while the night held the warehouse is applied afterwards with
the time it was made, i.e. *before* the last validation. A fingerprint compares what the row
is, not when something claims it changed, so it is exact whatever the clocks say; computing it
is one columnar scan in DuckDB (milliseconds per 100k rows, constant memory), and only the
changed rows travel to pandas. It is resumable because the ledger is written in the same
transaction as the flags and `ops.validation_runs`: a validation killed halfway recorded
nothing, so the next one picks the same rows up again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import duckdb

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.validate.suites import SuiteSpec

# The records of a suite validated at once by GX: bounds pandas memory on a full pass.
CHUNK_RECORDS = 20_000

# Changes to how validation reads rows (not to the suites) also need a full pass: bump this.
VALIDATOR_VERSION = "1"


def suite_fingerprint(suite_path: Path, spec: "SuiteSpec", parameters: dict) -> str:
    """Hash of everything that decides a suite's verdict on a row other than the row itself:
    the suite file, the frame's SQL and the run-time parameters (max_year moves on 1 January),
    and of what makes the row fingerprints comparable (this module, DuckDB's hash)."""
    digest = hashlib.sha256()
    # DuckDB's hash() may change between its versions: a new DuckDB is a full pass, on purpose.
    suite_text = Path(suite_path).read_bytes().decode("utf-8")
    for part in (VALIDATOR_VERSION, duckdb.__version__, suite_text, spec.sql,
                 json.dumps(parameters, sort_keys=True, default=str)):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


def _pending_table(spec: "SuiteSpec") -> str:
    return f"_litmine_pending_{spec.name}"


def _fingerprinted(spec: "SuiteSpec") -> str:
    """(record_key, row_hash) of every row of the suite's frame. Curator actions are matched on
    the suite's id column: an article_id in both suites."""
    return f"""
        WITH frame AS ({spec.sql}),
        curated AS (SELECT article_id, hash(list(curation_id ORDER BY curation_id)) AS actions
                    FROM core.curation GROUP BY article_id)
        SELECT CAST(f.{spec.id_column} AS VARCHAR) AS record_key, hash(f, c.actions) AS row_hash
        FROM frame AS f LEFT JOIN curated AS c ON c.article_id = f.{spec.id_column}"""


def find_pending(con: duckdb.DuckDBPyConnection, spec: "SuiteSpec", full: bool) -> int:
    """Fill the suite's pending temp table; return the number of pending records."""
    table = _pending_table(spec)
    # A record is pending when any of its rows is new or changed; its rows are validated
    # together (chunks are whole records), so a duplicate id is seen with its twin.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {table} AS
        WITH rows AS ({_fingerprinted(spec)}),
        changed AS (
            SELECT DISTINCT record_key FROM rows r
            WHERE ? OR NOT EXISTS (SELECT 1 FROM ops.validated_rows v
                                   WHERE v.suite = ? AND v.record_key = r.record_key
                                     AND v.row_hash = r.row_hash))
        SELECT r.record_key, r.row_hash,
               (dense_rank() OVER (ORDER BY r.record_key) - 1) // {CHUNK_RECORDS} AS chunk
        FROM rows r SEMI JOIN changed USING (record_key)""", [full, spec.name])
    return con.execute(f"SELECT count(DISTINCT record_key) FROM {table}").fetchone()[0]


def pending_frames(con: duckdb.DuckDBPyConnection, spec: "SuiteSpec") -> Iterator["pd.DataFrame"]:
    """The frame rows of the pending records, one frame per chunk of CHUNK_RECORDS records."""
    table = _pending_table(spec)
    (chunks,) = con.execute(f"SELECT coalesce(max(chunk) + 1, 0) FROM {table}").fetchone()
    for chunk in range(chunks):
        # execute(), not sql(): DuckDB 2 refuses sql() while an earlier fetchone() on the same
        # connection has rows left, and callers hand us connections in any state.
        yield con.execute(f"""
            SELECT f.* FROM ({spec.sql}) AS f
            WHERE CAST(f.{spec.id_column} AS VARCHAR) IN
                  (SELECT record_key FROM {table} WHERE chunk = ?)
            ORDER BY ALL""", [chunk]).df()


def remember_pending(con: duckdb.DuckDBPyConnection, spec: "SuiteSpec", full: bool,
                     run_id: str) -> None:
    """Record the pending rows as validated (call inside the transaction writing the flags).
    A full pass replaces the suite's whole ledger, so rows gone from the frame leave it too."""
    table = _pending_table(spec)
    if full:
        con.execute("DELETE FROM ops.validated_rows WHERE suite = ?", [spec.name])
    else:
        con.execute(f"""DELETE FROM ops.validated_rows WHERE suite = ?
                        AND record_key IN (SELECT record_key FROM {table})""", [spec.name])
    con.execute(f"""INSERT INTO ops.validated_rows (suite, record_key, row_hash, run_id)
                    SELECT DISTINCT ?, record_key, row_hash, ? FROM {table}""",
                [spec.name, run_id])


def drop_pending(con: duckdb.DuckDBPyConnection, spec: "SuiteSpec") -> None:
    con.execute(f"DROP TABLE IF EXISTS {_pending_table(spec)}")
