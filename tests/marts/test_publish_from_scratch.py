"""After nights published incrementally, every artefact an analyst or curator opens is what a
publish from nothing would write: the snapshot's tables and marts, each Parquet file, the CSV,
the XLSX, the RIS and the report. Whatever a publish skips or reuses must never show."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import duckdb

from pipeline import nightly
from pipeline.report import report_dir
from pipeline.warehouse import db
from pipeline.warehouse.exports import exports_dir
from pipeline.warehouse.materialise import mart_cache
from tests.marts.warehouse import add_run, add_study, add_validation_flag, at, curate


def night(settings, run_id: str, hours: float, change) -> None:
    con = db.connect(settings)
    add_run(con, run_id, at(hours))
    change(con)
    con.close()
    nightly.publish(settings)


def first_night(con) -> None:
    add_study(con, "pmid:1", first_author="Ilfeld B", year=2019)
    add_study(con, "pmid:2", first_author="Chen L", year=2021, design="systematic_review")
    add_study(con, "pmid:3", first_author="Moss K", year=2024, design="case_series",
              sample_size=12, relevant=False)
    add_study(con, "pmid:4", first_author="Øster Å", year=2024, design="protocol")


def second_night(con) -> None:
    # Text that each file format must carry safely: a formula, a line break, a control
    # character, markup, a record without journal (a preprint) and one without authors.
    add_study(con, "pmid:5", "run-2", at(29), first_author="=cmd|' /C calc'!A0", year=2024,
              responder_pct=62.5, responder_threshold_pct=50.0, mean_change=-3.1,
              outcome_scale="nrs")
    con.execute("""UPDATE core.articles SET title = 'Cryo <b>&amp;</b>' || chr(10) || 'nerve' ||
                       chr(1) || ' block', journal = NULL, preprint_id = 'PPR9', authors = []
                   WHERE article_id = 'pmid:5'""")
    add_study(con, "pmid:6", "run-2", at(29), first_author="Adams P", year=2021, sample_size=0)
    add_validation_flag(con, "pmid:6", "sample_size", "sample_size 0 is outside 1..100000",
                        "run-2", at(29))


def third_night(con) -> None:
    curate(con, "pmid:1", "sample_size", 41, at(50))
    add_study(con, "pmid:7", "run-3", at(50), first_author="Baker R", year=2019)


def artefacts(settings) -> dict[str, object]:
    """Every published artefact by name: file bytes (XLSX: each zip entry; Parquet: its rows in
    file order), the snapshot's tables and marts in a stable order, the report without the time
    it was generated."""
    found: dict[str, object] = {}
    folder = exports_dir(settings)
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
        name = str(path.relative_to(folder))
        if path.suffix == ".parquet":
            found[name] = duckdb.connect().execute(f"SELECT * FROM '{path}'").fetchall()
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                found[name] = {entry: book.read(entry) for entry in sorted(book.namelist())}
        else:
            found[name] = path.read_bytes()
    snapshot = duckdb.connect(str(settings.published), read_only=True)
    relations = snapshot.execute("""SELECT schema_name || '.' || table_name FROM duckdb_tables()
                                    WHERE schema_name <> 'ops' OR table_name <> 'published_tables'
                                    UNION ALL
                                    SELECT schema_name || '.' || view_name FROM duckdb_views()
                                    WHERE NOT internal ORDER BY 1""").fetchall()
    for (relation,) in relations:
        found[f"snapshot {relation}"] = snapshot.execute(
            f"SELECT * FROM {relation} ORDER BY ALL").fetchall()
    snapshot.close()
    html = (report_dir(settings) / "index.html").read_text(encoding="utf-8")
    found["report"] = re.sub(r"Generated [^<]* UTC", "Generated", html)
    return found


def test_three_nights_published_incrementally_equal_one_publish_from_nothing(settings):
    con = db.connect(settings)
    add_run(con, "run-1", at(1))
    first_night(con)
    con.close()
    nightly.publish(settings)
    night(settings, "run-2", 30, second_night)
    night(settings, "run-3", 51, third_night)
    incremental = artefacts(settings)

    for made in (Path(settings.published).parent, mart_cache(settings), report_dir(settings)):
        shutil.rmtree(made)
    nightly.publish(settings)
    scratch = artefacts(settings)

    assert "evidence_table.xlsx" in scratch and "included.ris" in scratch
    assert "evidence_table.parquet/year=2019/data.parquet" in scratch
    assert sorted(incremental) == sorted(scratch)
    for name in scratch:
        assert incremental[name] == scratch[name], name
