"""Parquet exports of the analysts' marts, written beside the published snapshot.

What: `export_marts(con, directory)` writes one `<mart>.parquet` per view in the `marts` schema
and returns their paths. `exports_dir(settings)` is where the nightly run puts them
(`warehouse/published/marts/` by default).

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
