"""Each mart computed once per publish, as a temporary table the exports and the report share.

What: `materialised_marts(con)` is a context manager that computes every view of the `marts`
schema into a temporary table (`temp.main._litmine_mart_<name>`) and drops them on exit;
`mart_relation(con, name)` names the relation to read a mart from: the temporary table while
one exists, else the view itself.

Why: the marts are views over views (`core.studies` lays curators' values over extractions,
parses targets, ranks designs), and a publish read them many times: each Parquet partition, the
CSV, XLSX and RIS files, and every count and table of the report. At 100k records that was
most of the cost of a quiet night. Computed once, each later read is a scan of a table. Temp
tables live in the connection (they also work on a read-only snapshot) and vanish with it, so
nothing stale can outlive the publish that made them.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import duckdb

PREFIX = "_litmine_mart_"


def _names(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute("""SELECT view_name FROM duckdb_views()
                          WHERE schema_name = 'marts' AND NOT internal AND NOT temporary
                          ORDER BY view_name""").fetchall()
    return [name for (name,) in rows]


def mart_relation(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """`temp.main._litmine_mart_<name>` while materialised, else `marts.<name>`."""
    found = con.execute("""SELECT 1 FROM duckdb_tables() WHERE database_name = 'temp'
                           AND table_name = ?""", [PREFIX + name]).fetchall()
    return f'temp.main."{PREFIX}{name}"' if found else f'marts."{name}"'


@contextmanager
def materialised_marts(con: duckdb.DuckDBPyConnection) -> Iterator[list[str]]:
    """Every mart as a temporary table for the duration of the block; yields the mart names."""
    names = _names(con)
    try:
        for name in names:
            con.execute(f'CREATE OR REPLACE TEMP TABLE "{PREFIX}{name}" AS SELECT * FROM marts."{name}"')
        yield names
    finally:
        for name in names:
            con.execute(f'DROP TABLE IF EXISTS temp.main."{PREFIX}{name}"')
