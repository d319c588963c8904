"""Publishing refreshes only what changed: the snapshot table by table and row by row, the
Parquet exports by publication-year partition, the spreadsheets and RIS only when their rows
changed, and every export still says exactly what the marts say."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from pipeline import nightly
from pipeline.warehouse import db
from pipeline.warehouse.exports import exports_dir
from pipeline.warehouse.publish import update_snapshot
from tests.marts.warehouse import add_run, add_study, at, curate


def files(directory: Path) -> dict[str, tuple[int, str]]:
    """Every export file (not the manifest) -> (mtime_ns, sha256)."""
    return {str(p.relative_to(directory)): (p.stat().st_mtime_ns,
                                             hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(directory.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def changed(before: dict, after: dict) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


@pytest.fixture
def published(settings):
    """Studies published in 2019, 2021 and 2024, after one night, published once."""
    con = db.connect(settings)
    add_run(con, "run-1", at(1))
    add_study(con, "pmid:1", first_author="Ilfeld B", year=2019)
    add_study(con, "pmid:2", first_author="Chen L", year=2021)
    add_study(con, "pmid:3", first_author="Moss K", year=2024, design="case_series",
              sample_size=12)
    con.close()
    nightly.publish(settings)
    return settings


def publish_night(settings, change=None, run_id="run-2", hours=30) -> None:
    """A night: its run row, an optional change to the warehouse, then the publish."""
    con = db.connect(settings)
    add_run(con, run_id, at(hours))
    if change:
        change(con)
    con.close()
    nightly.publish(settings)


def exported_ids(settings, mart: str) -> list[str]:
    path = exports_dir(settings) / f"{mart}.parquet"
    return [r for (r,) in duckdb.connect().execute(
        f"SELECT article_id FROM '{path}' ORDER BY article_id").fetchall()]


def test_a_quiet_night_rewrites_no_export_file(published):
    before = files(exports_dir(published))
    assert "evidence_table.parquet/year=2019/data.parquet" in before
    publish_night(published)
    # Only the two marts about the last night change (run-2 loaded nothing); no partition,
    # spreadsheet or RIS file is written again.
    assert changed(before, files(exports_dir(published))) == {"prisma_flow.parquet",
                                                              "whats_new.parquet"}
    after_night = files(exports_dir(published))
    nightly.publish(published)                           # published again: a no-op
    assert changed(after_night, files(exports_dir(published))) == set()


def test_one_new_record_rewrites_only_its_year(published):
    before = files(exports_dir(published))
    publish_night(published, lambda con: add_study(con, "pmid:4", "run-2", at(29),
                                                   first_author="Patel D", year=2021))
    rewritten = changed(before, files(exports_dir(published)))
    partitions = {name for name in rewritten if "/year=" in name}
    assert "evidence_table.parquet/year=2021/data.parquet" in partitions
    assert not any("year=2019" in name or "year=2024" in name for name in partitions), partitions
    assert {"evidence_table.csv", "evidence_table.xlsx", "included.ris"} <= rewritten
    assert exported_ids(published, "evidence_table") == ["pmid:1", "pmid:2", "pmid:3", "pmid:4"]
    with open(exports_dir(published) / "evidence_table.csv", encoding="utf-8-sig") as f:
        assert "Patel D 2021" in f.read()


def test_a_curator_edit_reaches_the_old_year_and_an_emptied_year_disappears(published):
    before = files(exports_dir(published))

    def edit(con):
        curate(con, "pmid:2", "sample_size", 55, at(29))     # an old record: 2021
        curate(con, "pmid:1", "relevant", False, at(29))      # 2019's only study leaves
    publish_night(published, edit)

    rewritten = changed(before, files(exports_dir(published)))
    assert "evidence_table.parquet/year=2021/data.parquet" in rewritten
    assert not (exports_dir(published) / "evidence_table.parquet" / "year=2019").exists()
    assert "evidence_table.parquet/year=2024/data.parquet" not in rewritten
    path = exports_dir(published) / "evidence_table.parquet"
    assert duckdb.connect().execute(
        f"SELECT patients FROM '{path}' WHERE article_id = 'pmid:2'").fetchall() == [(55,)]
    assert exported_ids(published, "evidence_table") == ["pmid:2", "pmid:3"]


def test_every_export_matches_its_mart_after_incremental_nights(published):
    publish_night(published, lambda con: add_study(con, "pmid:5", "run-2", at(29), year=2024))
    publish_night(published, lambda con: curate(con, "pmid:3", "design", "rct", at(50)),
                  run_id="run-3", hours=51)
    con = duckdb.connect(str(published.published), read_only=True)
    marts = [n for (n,) in con.execute("SELECT view_name FROM duckdb_views() "
                                       "WHERE schema_name = 'marts' ORDER BY 1").fetchall()]
    for mart in marts:
        path = exports_dir(published) / f"{mart}.parquet"
        columns = [c for (c, *_) in con.execute(f"DESCRIBE marts.{mart}").fetchall()]
        select = ", ".join(f'"{c}"' for c in columns)
        exported = duckdb.connect().execute(
            f"SELECT {select} FROM '{path}' ORDER BY ALL").fetchall()
        assert exported == con.execute(f"SELECT {select} FROM marts.{mart} ORDER BY ALL").fetchall(), mart
    con.close()


def test_the_snapshot_is_updated_row_by_row_and_equals_the_warehouse(published):
    con = db.connect(published)
    add_run(con, "run-2", at(30))
    add_study(con, "pmid:6", "run-2", at(29), year=2022)
    curate(con, "pmid:1", "sample_size", 41, at(29))
    con.execute("UPDATE core.articles SET title = 'Corrected title' WHERE article_id = 'pmid:2'")
    written = update_snapshot(con, published.published).written

    assert written.get('"core"."articles"') == "rows"     # not copied whole
    assert '"core"."evidence"' not in written             # untouched tonight
    tables = con.execute("""SELECT schema_name, table_name FROM duckdb_tables()
                            WHERE database_name = current_database()""").fetchall()
    expected = {f"{s}.{t}": con.execute(f"SELECT * FROM {s}.{t} ORDER BY ALL").fetchall()
                for s, t in tables}
    marts = {m: con.execute(f"SELECT * FROM marts.{m} ORDER BY ALL").fetchall()
             for (m,) in con.execute("SELECT view_name FROM duckdb_views() "
                                     "WHERE schema_name = 'marts'").fetchall()}
    quiet = update_snapshot(con, published.published).written
    con.close()
    assert set(quiet) == set()                            # nothing changed since

    snapshot = duckdb.connect(str(published.published), read_only=True)
    for name, rows in expected.items():
        assert snapshot.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall() == rows, name
    for name, rows in marts.items():
        assert snapshot.execute(f"SELECT * FROM marts.{name} ORDER BY ALL").fetchall() == rows, name
    assert snapshot.execute("SELECT title FROM core.articles WHERE article_id = 'pmid:2'"
                            ).fetchall() == [("Corrected title",)]
    snapshot.close()


def test_a_quiet_night_reuses_the_marts_whose_tables_did_not_change(published):
    from pipeline.warehouse.materialise import mart_cache, mart_relation, materialised_marts

    con = db.connect(published)
    add_run(con, "run-2", at(30))                      # a night that loaded nothing
    # A mart that reads the clock is never reused, whatever its tables.
    con.execute("CREATE VIEW marts.zz_clock AS SELECT now() AS at, count(*) AS n FROM core.articles")
    update = update_snapshot(con, published.published)
    with materialised_marts(con, mart_cache(published), update.tables) as reused:
        shown = con.execute(f"SELECT * FROM {mart_relation(con, 'evidence_table')}").fetchall()
    assert "evidence_table" in reused and "curation_backlog" in reused
    assert {"whats_new", "prisma_flow", "zz_clock"}.isdisjoint(reused)
    assert shown == con.execute("SELECT * FROM marts.evidence_table").fetchall()  # same order
    # A curator's edit: the marts that read core.curation are computed again.
    curate(con, "pmid:3", "sample_size", 13, at(31))
    update = update_snapshot(con, published.published)
    with materialised_marts(con, mart_cache(published), update.tables) as reused:
        patients = con.execute(f"SELECT patients FROM {mart_relation(con, 'evidence_table')} "
                               "WHERE article_id = 'pmid:3'").fetchall()
    assert "evidence_table" not in reused and patients == [(13,)]
    con.close()


def test_identical_rows_added_to_identical_rows_are_counted(published):
    """A set difference cannot tell a third identical row from the two already published: the
    table is copied whole instead, and the snapshot still holds every row."""
    con = db.connect(published)
    con.execute("CREATE TABLE ops.repeated_notes (note VARCHAR)")
    con.execute("INSERT INTO ops.repeated_notes VALUES ('retry'), ('retry')")
    update_snapshot(con, published.published)
    con.execute("INSERT INTO ops.repeated_notes VALUES ('retry')")
    written = update_snapshot(con, published.published).written
    con.execute("DELETE FROM ops.repeated_notes WHERE rowid = 0")
    shrunk = update_snapshot(con, published.published).written
    con.close()
    assert written['"ops"."repeated_notes"'] == "whole" == shrunk['"ops"."repeated_notes"']
    snapshot = duckdb.connect(str(published.published), read_only=True)
    assert snapshot.execute("SELECT count(*) FROM ops.repeated_notes").fetchone() == (2,)
    snapshot.close()


def test_marts_computed_from_the_shared_views_say_what_the_views_say(published):
    """The publish computes the curation overlay and core.studies once and each mart from those
    copies: every mart must hold the same rows, in the same order, as querying the view."""
    from pipeline.warehouse.materialise import mart_relation, materialised_marts

    con = db.connect(published)
    add_study(con, "pmid:7", first_author="Ahn J", year=2023, design="rct", sample_size=60)
    curate(con, "pmid:1", "sample_size", 41, at(29))
    curate(con, "pmid:7", "design", "case_series", at(29))
    names = [n for (n,) in con.execute("SELECT view_name FROM duckdb_views() "
                                       "WHERE schema_name = 'marts' ORDER BY 1").fetchall()]
    expected = {n: con.execute(f"SELECT * FROM marts.{n}").fetchall() for n in names}
    with materialised_marts(con) as reused:
        assert reused == []
        shown = {n: con.execute(f"SELECT * FROM {mart_relation(con, n)}").fetchall() for n in names}
        patients = con.execute(f"SELECT article_id, patients, design FROM "
                               f"{mart_relation(con, 'evidence_table')} ORDER BY 1").fetchall()
    leftovers = con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    con.close()
    assert shown["evidence_table"] == expected["evidence_table"]      # ordered for the reader
    for name in names:
        assert sorted(map(repr, shown[name])) == sorted(map(repr, expected[name])), name
    assert ("pmid:1", 41) in {(a, n) for a, n, _ in patients}
    assert ("pmid:7", "case_series") in {(a, d) for a, _, d in patients}
    assert leftovers == []


def snapshot_equals_warehouse(settings) -> None:
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    tables = con.execute("""SELECT schema_name, table_name FROM duckdb_tables()
                            WHERE database_name = current_database()""").fetchall()
    expected = {f"{s}.{t}": con.execute(f"SELECT * FROM {s}.{t} ORDER BY ALL").fetchall()
                for s, t in tables}
    con.close()
    snapshot = duckdb.connect(str(settings.published), read_only=True)
    for name, rows in expected.items():
        assert snapshot.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall() == rows, name
    snapshot.close()


def test_nights_diffed_against_kept_row_hashes_leave_the_snapshot_equal(published):
    """The publish diffs each changed table against the row hashes it kept last night rather
    than hashing the snapshot again: added, changed and deleted rows all arrive, and a kept
    set that does not match the snapshot (a publish killed after keeping it) is not used."""
    from pipeline.warehouse.materialise import mart_cache

    kept = mart_cache(published) / "snapshot" / duckdb.__version__ / "core.articles.parquet"
    assert kept.is_file()

    def night_two(con):
        add_study(con, "pmid:6", "run-2", at(29), year=2022)
        con.execute("UPDATE core.articles SET title = 'Corrected title' WHERE article_id = 'pmid:2'")
        con.execute("DELETE FROM core.evidence_locations WHERE article_id = 'pmid:1'")
    publish_night(published, night_two)
    snapshot_equals_warehouse(published)

    duckdb.connect().execute(f"COPY (SELECT 42::UBIGINT AS h) TO '{kept}' (FORMAT parquet)")
    publish_night(published, lambda con: con.execute(
        "UPDATE core.articles SET title = 'Third title' WHERE article_id = 'pmid:3'"),
        run_id="run-3", hours=40)
    snapshot_equals_warehouse(published)
