"""Rewrite a file of ordered records by copying its unchanged stretches from the previous file.

What: `write_spliced(con, path, table, key, render, separator, index)` writes the records of
`table` (a DuckDB table, in rowid order), each the text of the SQL expression `render`, joined
by `separator`, to `path`, atomically, and keeps beside it (`index`, a Parquet file, and
`index` + ".json") where each record sits in the file: its `key` column, a hash of its row, its
byte offset and length. The next call renders only the records whose (key, row hash) the index
does not know; every other record is copied from the previous file, and records that follow each
other in both files are copied as one stretch (`os.copy_file_range`, so the kernel moves the
bytes). It returns how many records it rendered.

Why: a single-file export sorted for its reader (the RIS file of included records, 150 MB at
100k records) takes a new study in its middle, so there is nothing to append to, but a night
with 1 % new records changes 1 % of it. Rendering every record again was most of the cost of
rewriting it; copying the unchanged bytes is nearly free. The previous file is the cache: it is
trusted only when its size and modification time are the ones the index recorded (and the
DuckDB version, whose `hash()` keys the rows, is the same); otherwise, or without an index,
every record is rendered, as on the first night. Output is byte-identical either way.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

from pipeline.warehouse.db import sql_string

_PLAN = "_litmine_splice"        # temp table: the new file's records, where each comes from
COPY_CHUNK = 1 << 24             # bytes per copy_file_range call
STRETCHES_PER_FETCH = 2000


def _previous_index(path: Path, index: Path) -> str:
    """SQL for the previous file's (key, h, start, length), empty unless it can be trusted."""
    empty = "SELECT NULL::VARCHAR AS key, NULL::UBIGINT AS h, 0::BIGINT AS start, " \
            "0::BIGINT AS length WHERE false"
    try:
        meta = json.loads(Path(str(index) + ".json").read_text())
        stat = path.stat()
    except (OSError, ValueError):
        return empty
    if [meta.get("size"), meta.get("mtime_ns"), meta.get("duckdb")] != \
            [stat.st_size, stat.st_mtime_ns, duckdb.__version__] or not index.is_file():
        return empty
    # identical rows share one entry: each is copied from the same bytes
    return f"""SELECT key, h, start, length FROM read_parquet({sql_string(index)})
               QUALIFY row_number() OVER (PARTITION BY key, h ORDER BY start) = 1"""


def write_spliced(con: duckdb.DuckDBPyConnection, path: Path, table: str, key: str, render: str,
                  separator: str, index: Path) -> int:
    """See the module docstring; returns the number of records rendered (not copied)."""
    path, index = Path(path), Path(index)
    sep = separator.encode("utf-8")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {_PLAN} AS
        WITH now AS (SELECT rowid AS position, {key}::VARCHAR AS key, hash(t) AS h FROM {table} AS t),
             old AS ({_previous_index(path, index)})
        SELECT now.position, now.key, now.h, old.start AS old_start, old.length AS old_length
        FROM now LEFT JOIN old ON old.key = now.key AND old.h = now.h""")
    try:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {_PLAN}_text AS
            SELECT position, text, strlen(text) AS length   -- bytes of UTF-8
            FROM (SELECT rowid AS position, {render} AS text FROM {table})
            WHERE position IN (SELECT position FROM {_PLAN} WHERE old_start IS NULL)""")
        rendered = con.execute(f"SELECT count(*) FROM {_PLAN}_text").fetchone()[0]
        # every record of the new file: where it was (copied) or its text (rendered)
        records = f"""SELECT p.*, coalesce(p.old_length, x.length) AS length, x.text
                      FROM {_PLAN} AS p LEFT JOIN {_PLAN}_text AS x USING (position)"""
        # Stretches: a copied record continues the stretch when it followed the previous record
        # in the old file too; a rendered record is a stretch of its own.
        stretches = con.execute(f"""
            WITH r AS (
                SELECT *, CASE WHEN old_start IS NOT NULL
                                AND lag(old_start) OVER w + lag(old_length) OVER w + {len(sep)}
                                    = old_start THEN 0 ELSE 1 END AS starts
                FROM ({records}) WINDOW w AS (ORDER BY position)),
            s AS (SELECT *, sum(starts) OVER (ORDER BY position) AS stretch FROM r)
            SELECT min(position), min(old_start)::BIGINT,
                   (sum(length) + {len(sep)} * (count(*) - 1))::BIGINT,
                   any_value(text) FILTER (WHERE old_start IS NULL)
            FROM s GROUP BY stretch ORDER BY min(position)""")
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        try:
            _write(path, tmp, stretches, sep)
            index.parent.mkdir(parents=True, exist_ok=True)
            con.execute(f"""COPY (
                SELECT key, h, (sum(length + {len(sep)}) OVER (ORDER BY position)
                                - length - {len(sep)})::BIGINT AS start, length::BIGINT AS length
                FROM ({records}) ORDER BY position)
                TO {sql_string(index.with_name(index.name + '.tmp'))} (FORMAT parquet)""")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        os.replace(index.with_name(index.name + ".tmp"), index)
        stat = path.stat()
        meta = Path(str(index) + ".json")
        meta.with_name(meta.name + ".tmp").write_text(json.dumps(
            {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "duckdb": duckdb.__version__}))
        meta.with_name(meta.name + ".tmp").replace(meta)
        return rendered
    finally:
        con.execute(f"DROP TABLE IF EXISTS {_PLAN}")
        con.execute(f"DROP TABLE IF EXISTS {_PLAN}_text")


def _write(path: Path, tmp: Path, stretches: duckdb.DuckDBPyConnection, sep: bytes) -> None:
    """The new file from a cursor over its stretches: (position, old start, length, text or
    None), fetched a block at a time so that memory does not grow with the file."""
    old = None
    with open(tmp, "wb") as out:
        try:
            first = True
            while block := stretches.fetchmany(STRETCHES_PER_FETCH):
                for _, start, length, text in block:
                    if not first:
                        out.write(sep)
                    first = False
                    if text is not None:
                        out.write(text.encode("utf-8"))
                        continue
                    out.flush()             # the kernel copy writes at the file's own offset
                    old = old or open(path, "rb")
                    _copy_range(old, out, start, length)
        finally:
            if old is not None:
                old.close()


def _copy_range(source, target, start: int, length: int) -> None:
    """`length` bytes of `source` from `start` appended to `target` (kernel copy where it can)."""
    done = 0
    while done < length:
        count = min(COPY_CHUNK, length - done)
        try:
            moved = os.copy_file_range(source.fileno(), target.fileno(), count, start + done)
        except (AttributeError, OSError):
            source.seek(start + done)
            moved = target.write(source.read(count))
            target.flush()
        if moved <= 0:
            raise OSError(f"{source.name}: {length - done} bytes short at offset {start + done}")
        done += moved
