"""The spreadsheet files rendered by DuckDB say exactly what the Python writers say, for the
values that are easy to get wrong: formulas, control characters, NaN, empty lists and text."""

from __future__ import annotations

import csv
import zipfile

import duckdb

from pipeline.warehouse.sheet_sql import write_csv_query, write_xlsx_query
from pipeline.warehouse.spreadsheets import write_csv, write_xlsx

ROWS = """
SELECT * FROM (VALUES
    ('=HYPERLINK("http://x", "y")', -2.5, 40, true, ['a', 'b'], 'https://doi.org/10.1/x'),
    ('tab' || chr(1) || ' <b>&amp;</b>', 'nan'::DOUBLE, NULL, false, [], 'not a link'),
    ('', NULL, 0, NULL, NULL, NULL),
    ('+1, "quoted"' || chr(10) || 'line', 62.0, -7, true, ['x'], 'http://example.org/?a=1&b="2"')
) AS t(title, mean_change, patients, relevant, targets, doi_url)"""


def test_duckdb_rendered_csv_and_xlsx_match_the_python_writers(tmp_path):
    con = duckdb.connect()
    header = [d[0] for d in con.execute(ROWS).description]
    rows = con.execute(ROWS).fetchall()
    write_csv(tmp_path / "py.csv", header, rows)
    write_xlsx(tmp_path / "py.xlsx", header, rows, "Evidence table")
    write_csv_query(con, tmp_path / "sql.csv", ROWS)
    write_xlsx_query(con, tmp_path / "sql.xlsx", ROWS, "Evidence table")

    def read(name):
        with open(tmp_path / name, encoding="utf-8-sig", newline="") as f:
            return list(csv.reader(f))
    assert read("sql.csv") == read("py.csv")
    assert read("sql.csv")[1][0] == "'" + '=HYPERLINK("http://x", "y")'
    with zipfile.ZipFile(tmp_path / "py.xlsx") as py, zipfile.ZipFile(tmp_path / "sql.xlsx") as sql:
        assert sorted(py.namelist()) == sorted(sql.namelist())
        for name in py.namelist():
            assert sql.read(name) == py.read(name), name


def test_rows_and_links_keep_their_order_and_numbers_across_blocks(tmp_path):
    from pipeline.warehouse.sheet_sql import ROWS_PER_BLOCK

    con = duckdb.connect()
    count = 2 * ROWS_PER_BLOCK + 5
    # Every third row has no link in one column, so link numbers and row numbers drift apart.
    many = f"""SELECT 'Study ' || ((i * 7919) % {count}) AS title, i AS patients,
                      CASE WHEN i % 3 <> 0 THEN 'https://pubmed.ncbi.nlm.nih.gov/' || i || '/' END
                          AS pubmed_url,
                      'https://doi.org/10.5555/' || i || '?a=1&b="2"' AS doi_url
               FROM range({count}) AS t(i) ORDER BY (i * 7919) % {count}"""
    header = [d[0] for d in con.execute(many).description]
    write_xlsx(tmp_path / "py.xlsx", header, con.execute(many).fetchall(), "Evidence table")
    write_xlsx_query(con, tmp_path / "sql.xlsx", many, "Evidence table")
    with zipfile.ZipFile(tmp_path / "py.xlsx") as py, zipfile.ZipFile(tmp_path / "sql.xlsx") as sql:
        assert sorted(py.namelist()) == sorted(sql.namelist())
        for name in py.namelist():
            assert sql.read(name) == py.read(name), name
