"""Publish a read-only snapshot of the warehouse for analysts, in a format DuckDB 1.x opens.

The nightly writer works on `warehouse/litmine.duckdb`; analysts open
`warehouse/published/litmine.duckdb`. After a successful run the writer copies its schemas,
tables (data only: a read-only snapshot needs no keys or indexes) and views into a new file
beside the snapshot under a temporary name and renames it over the snapshot. The rename is atomic, and an analyst's open
connection keeps reading the file it opened (POSIX keeps an unlinked file alive while it is
open), so a long query never blocks or breaks the load.

Why a copy and not the file itself: the writer's DuckDB writes its newest storage format, which
older readers refuse ("database file with version number 69 ... can only read 64-68"), and
analysts' tools (the DuckDB CLI, DBeaver, R) often lag a major version. The snapshot is written
with `STORAGE_VERSION` `SNAPSHOT_STORAGE_VERSION`; without primary keys, whose serialisation
DuckDB 1.0 cannot read (it fails "expected end of object, but found field id: 103"), every
DuckDB from 1.0 on opens it.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

# The oldest DuckDB release whose storage format the snapshot uses (README: "For analysts").
SNAPSHOT_STORAGE_VERSION = "v1.0.0"
_ALIAS = "litmine_snapshot"


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _copy(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Schemas, table data and views of catalog `source` into the attached snapshot."""
    src = _identifier(source)
    for (schema,) in con.execute("""SELECT schema_name FROM duckdb_schemas()
                                    WHERE database_name = ? AND NOT internal""", [source]).fetchall():
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {_ALIAS}.{_identifier(schema)}")
    for schema, table in con.execute("""SELECT schema_name, table_name FROM duckdb_tables()
                                        WHERE database_name = ? AND NOT internal AND NOT temporary
                                        ORDER BY schema_name, table_name""", [source]).fetchall():
        name = f"{_identifier(schema)}.{_identifier(table)}"
        con.execute(f"CREATE TABLE {_ALIAS}.{name} AS SELECT * FROM {src}.{name}")
    views = [sql for (sql,) in con.execute("""SELECT sql FROM duckdb_views()
                                              WHERE database_name = ? AND NOT internal
                                              AND NOT temporary ORDER BY view_oid""", [source]).fetchall()]
    # A view binds the views it reads when created: create those first, whatever their oids.
    con.execute(f"USE {_ALIAS}")
    try:
        while views:
            failed = []
            for sql in views:
                try:
                    con.execute(sql)
                except duckdb.CatalogException:
                    failed.append(sql)
            if len(failed) == len(views):
                con.execute(failed[0])          # raises the real error
            views = failed
    finally:
        con.execute(f"USE {src}")


def publish_snapshot(con: duckdb.DuckDBPyConnection, warehouse: Path, published: Path) -> Path:
    """Write the warehouse `con` is connected to as the analysts' snapshot; return its path.

    `warehouse` is the writer's file (kept for callers; the copy reads through `con`)."""
    published = Path(published)
    published.parent.mkdir(parents=True, exist_ok=True)
    tmp = published.with_name(f".{published.name}.tmp-{os.getpid()}")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)        # from a publish killed halfway
    source = con.execute("SELECT current_database()").fetchone()[0]
    con.execute("CHECKPOINT")
    con.execute(f"ATTACH {_literal(tmp)} AS {_ALIAS} (STORAGE_VERSION '{SNAPSHOT_STORAGE_VERSION}')")
    try:
        _copy(con, source)
    except BaseException:
        con.execute(f"DETACH {_ALIAS}")
        tmp.unlink(missing_ok=True)
        raise
    con.execute(f"DETACH {_ALIAS}")             # checkpoints: the file is complete, no WAL left
    os.replace(tmp, published)
    return published
