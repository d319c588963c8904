"""Publish a read-only snapshot of the warehouse for analysts.

The nightly writer works on `warehouse/litmine.duckdb`; analysts open
`warehouse/published/litmine.duckdb`. After a successful run the writer checkpoints, copies
its file beside the snapshot under a temporary name, and renames it over the snapshot. The
rename is atomic, and an analyst's open connection keeps reading the file it opened (POSIX keeps
an unlinked file alive while it is open), so a long query never blocks or breaks the load.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb


def publish_snapshot(con: duckdb.DuckDBPyConnection, warehouse: Path, published: Path) -> Path:
    con.execute("CHECKPOINT")
    published = Path(published)
    published.parent.mkdir(parents=True, exist_ok=True)
    tmp = published.with_name(f".{published.name}.tmp-{os.getpid()}")
    shutil.copyfile(warehouse, tmp)
    os.replace(tmp, published)
    return published
