"""A file of ordered records rewritten by copying what did not change from the previous file:
after any mix of inserts, edits, deletions and reorders it holds exactly the bytes a fresh
render gives, renders only the records that are new or changed, and does not trust a previous
file that something else touched."""

from __future__ import annotations

import os

import duckdb
import pytest

from pipeline.warehouse.ris_sql import write_ris_spliced, write_ris_table
from pipeline.warehouse.splice import write_spliced

RENDER = "'<' || id || ':' || body || '>'"


def shelf(con, rows: list[tuple[str, str]]) -> None:
    """The records to write, in this order: (id, body)."""
    con.execute("CREATE OR REPLACE TABLE shelf (id VARCHAR, body VARCHAR)")
    if rows:
        con.executemany("INSERT INTO shelf VALUES (?, ?)", rows)


def fresh(rows: list[tuple[str, str]]) -> bytes:
    return "\n".join(f"<{i}:{b}>" for i, b in rows).encode("utf-8")


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def write(con, tmp_path) -> int:
    return write_spliced(con, tmp_path / "out.txt", "shelf", "id", RENDER, "\n",
                         tmp_path / "cache" / "out.index.parquet")


def test_a_night_renders_only_what_it_adds_or_changes(con, tmp_path):
    (tmp_path / "cache").mkdir()
    first = [(f"r{i:03d}", f"body {i} é") for i in range(300)]
    shelf(con, first)
    assert write(con, tmp_path) == 300
    assert (tmp_path / "out.txt").read_bytes() == fresh(first)

    night = first[:10] + [("new-a", "inserted — ünïcode")] + first[10:150] \
        + [("r150", "corrected body")] + first[151:299] + [("new-b", "appended")]
    shelf(con, night)                       # r299 deleted, r150 edited, two new records
    assert write(con, tmp_path) == 3
    assert (tmp_path / "out.txt").read_bytes() == fresh(night)

    shelf(con, night)
    assert write(con, tmp_path) == 0       # nothing changed: every byte copied
    assert (tmp_path / "out.txt").read_bytes() == fresh(night)


def test_reordered_and_repeated_records_still_come_out_right(con, tmp_path):
    (tmp_path / "cache").mkdir()
    rows = [(f"r{i}", "same" if i % 3 == 0 else f"b{i}") for i in range(40)]
    shelf(con, rows)
    write(con, tmp_path)
    night = list(reversed(rows)) + [rows[5], rows[5]]     # a twin of an old record, twice
    shelf(con, night)
    assert write(con, tmp_path) == 0
    assert (tmp_path / "out.txt").read_bytes() == fresh(night)


def test_a_previous_file_someone_touched_is_not_trusted(con, tmp_path):
    (tmp_path / "cache").mkdir()
    rows = [(f"r{i}", f"b{i}") for i in range(50)]
    shelf(con, rows)
    write(con, tmp_path)
    out = tmp_path / "out.txt"
    out.write_bytes(out.read_bytes().replace(b"b1>", b"XX>"))   # same size, new mtime
    os.utime(out, ns=(out.stat().st_atime_ns, out.stat().st_mtime_ns + 10**9))
    assert write(con, tmp_path) == 50
    assert out.read_bytes() == fresh(rows)
    (tmp_path / "cache" / "out.index.parquet").unlink()        # no index: render everything
    assert write(con, tmp_path) == 50
    assert out.read_bytes() == fresh(rows)


def test_an_empty_shelf_writes_an_empty_file(con, tmp_path):
    (tmp_path / "cache").mkdir()
    shelf(con, [("a", "x")])
    write(con, tmp_path)
    shelf(con, [])
    assert write(con, tmp_path) == 0
    assert (tmp_path / "out.txt").read_bytes() == b""


def test_spliced_ris_is_byte_for_byte_the_full_render(con, tmp_path):
    from tests.marts.test_ris_sql import RECORDS

    con.execute(f"CREATE TABLE base AS {RECORDS}")
    con.execute("""CREATE TABLE included AS SELECT * REPLACE ('pmid:' || i || '-' || article_id
                                                              AS article_id)
                   FROM base, range(30) AS n(i) ORDER BY i, article_id""")
    index = tmp_path / "ris.index.parquet"
    assert write_ris_spliced(con, tmp_path / "spliced.ris", "included", index) == 150
    con.execute("""CREATE OR REPLACE TABLE included AS
                   SELECT * REPLACE (CASE WHEN article_id LIKE 'pmid:7-%' THEN 'New title'
                                          ELSE title END AS title)
                   FROM included WHERE article_id NOT LIKE 'pmid:3-%' ORDER BY rowid""")
    assert write_ris_spliced(con, tmp_path / "spliced.ris", "included", index) == 5
    write_ris_table(con, tmp_path / "full.ris", "included")
    assert (tmp_path / "spliced.ris").read_bytes() == (tmp_path / "full.ris").read_bytes()
