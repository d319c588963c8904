"""The publish writes the analysts' snapshot on a second connection while it writes the exports:
the snapshot must still be exactly the warehouse, the exports must not see the snapshot's copy
of the marts, and a snapshot that fails must fail the publish."""

from __future__ import annotations

import os
import time

import duckdb
import pytest

from pipeline import nightly
from pipeline.warehouse import db
from pipeline.warehouse.materialise import mart_names
from pipeline.warehouse.publish import TableFingerprints, snapshot_beside, update_snapshot
from tests.marts.warehouse import add_run, add_study, at, curate


def fingerprints(path) -> dict[str, tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {f"{s}.{t}": con.execute(f'SELECT count(*), coalesce(sum(hash(x)::HUGEINT), 0)'
                                        f'::VARCHAR FROM "{s}"."{t}" AS x').fetchone()
                for s, t in con.execute("SELECT schema_name, table_name FROM duckdb_tables()"
                                        " WHERE NOT (schema_name = 'ops' AND table_name = "
                                        "'published_tables')").fetchall()}
    finally:
        con.close()


@pytest.fixture
def warehouse(settings):
    con = db.connect(settings)
    add_run(con, "run-1", at(1))
    add_study(con, "pmid:1", first_author="Ilfeld B", year=2019)
    add_study(con, "pmid:2", first_author="Chen L", year=2021)
    con.close()
    nightly.publish(settings)
    con = db.connect(settings)
    add_run(con, "run-2", at(30))
    add_study(con, "pmid:3", run_id="run-2", first_author="Moss K", year=2024, sample_size=12)
    curate(con, "pmid:1", "sample_size", 40, at(31))
    yield settings, con
    con.close()


def test_the_snapshot_written_beside_the_exports_holds_the_warehouse(warehouse):
    settings, con = warehouse
    with snapshot_beside(con, settings.published) as tables:
        # the exports' work meanwhile, on the first connection
        rows = con.execute("SELECT count(*) FROM marts.evidence_table").fetchone()
    assert rows == (3,)
    published = fingerprints(settings.published)
    assert published == dict(tables) == dict(TableFingerprints(con))
    # the update reported what it was told: nothing is left to write
    assert update_snapshot(con, settings.published).written == {}


def test_the_marts_listed_meanwhile_are_the_warehouses_only(warehouse, tmp_path):
    settings, con = warehouse
    # as the snapshot is while it is being written: another database with the same marts
    con.execute(f"ATTACH '{tmp_path / 'other.duckdb'}' AS other")
    con.execute("CREATE SCHEMA other.marts")
    con.execute("CREATE VIEW other.marts.evidence_table AS SELECT 1 AS x")
    con.execute("CREATE VIEW other.marts.only_elsewhere AS SELECT 1 AS x")
    names = mart_names(con)
    con.execute("DETACH other")
    assert names == mart_names(con)
    assert "only_elsewhere" not in names and names.count("evidence_table") == 1


def test_a_snapshot_that_fails_fails_the_publish_after_the_exports(warehouse, monkeypatch):
    from pipeline.warehouse import publish

    settings, con = warehouse

    def disk_full(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(publish, "_sync_table", disk_full)
    before = settings.published.read_bytes()
    exported = []
    with pytest.raises(OSError, match="No space left"):
        with snapshot_beside(con, settings.published):
            exported.append(con.execute("SELECT count(*) FROM marts.evidence_table").fetchone())
    assert exported == [(3,)]
    # the analysts keep the last snapshot, the connection is usable, nothing is left attached
    assert settings.published.read_bytes() == before
    assert con.execute("SELECT count(*) FROM duckdb_databases() WHERE NOT internal"
                       ).fetchone() == (1,)


def test_a_first_snapshot_is_written_before_the_exports(settings):
    """Written whole, the snapshot copies every table: beside the exports' own copies that
    held both in memory at once, so it comes first."""
    con = db.connect(settings)
    add_run(con, "run-1", at(1))
    add_study(con, "pmid:1", first_author="Ilfeld B", year=2019)
    assert not settings.published.exists()
    with snapshot_beside(con, settings.published) as tables:
        assert fingerprints(settings.published) == dict(tables)
    con.close()


def test_a_snapshot_grown_past_its_rows_is_written_whole_again(tmp_path, monkeypatch):
    """Rows deleted from a snapshot updated in place leave their space in the file: once it is
    much bigger than a fresh copy would be, the next publish writes it whole, and shrinks it."""
    from pipeline.warehouse import publish

    monkeypatch.setattr(publish, "COMPACT_MIN_BYTES", 0)
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("CREATE SCHEMA ops")
    con.execute("CREATE TABLE ops.notes AS SELECT range AS i, repeat(md5(range::VARCHAR), 8) AS "
                "note FROM range(100000)")
    snapshot, kept = tmp_path / "published" / "litmine.duckdb", tmp_path / "kept"
    update_snapshot(con, snapshot, kept)
    full = snapshot.stat().st_size
    con.execute("INSERT INTO ops.notes VALUES (-1, 'one more')")
    assert update_snapshot(con, snapshot, kept).written == {'"ops"."notes"': "rows"}
    con.execute("DELETE FROM ops.notes WHERE i % 10 != 0")         # nine rows in ten gone
    assert update_snapshot(con, snapshot, kept).written == {'"ops"."notes"': "whole"}
    assert snapshot.stat().st_size < full / 2
    assert fingerprints(snapshot) == {"ops.notes": dict(TableFingerprints(con))["ops.notes"]}
    # the next night updates the smaller file in place again
    con.execute("INSERT INTO ops.notes VALUES (-2, 'and another')")
    assert update_snapshot(con, snapshot, kept).written == {'"ops"."notes"': "rows"}
    con.close()


def test_files_left_by_a_killed_publish_are_removed_by_the_next(warehouse):
    settings, con = warehouse
    con.close()
    folder = settings.published.parent
    left = [folder / ".litmine.duckdb.tmp-4194301", folder / ".litmine.duckdb.tmp-4194301.wal",
            folder / "marts" / "year=2021" / ".part.parquet.tmp-4194302"]
    for path in left:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half a file")
        os.utime(path, (time.time() - 86400,) * 2)      # last night's
    kept = folder / ".analyst-notes.txt"
    kept.write_text("not ours")
    being_written = folder / ".index.html.tmp-4194303"   # by a report running right now
    being_written.write_text("<html>")
    nightly.publish(settings)
    assert not any(path.exists() for path in left)
    assert kept.read_text() == "not ours" and being_written.exists()
    assert fingerprints(settings.published)["core.articles"][0] == 3


def test_the_snapshot_is_swapped_in_only_after_the_exports_statements(warehouse):
    """A statement reading the catalog on the other connection holds the attached snapshot
    open past its DETACH, which then checkpoints late into the renamed file: analysts opening
    it met a lock error, and a late checkpoint can leave it incomplete. So the rename waits."""
    settings, con = warehouse
    before = settings.published.stat().st_ino
    with snapshot_beside(con, settings.published):
        deadline = time.monotonic() + 3      # ample for this snapshot to be prepared
        while time.monotonic() < deadline:
            con.execute("SELECT count(*) FROM duckdb_tables()").fetchall()
        assert settings.published.stat().st_ino == before
    assert settings.published.stat().st_ino != before
    assert fingerprints(settings.published)["core.articles"][0] == 3
