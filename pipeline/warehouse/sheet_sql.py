"""The spreadsheet exports of a DuckDB query, with the cells rendered by DuckDB itself.

What: `write_csv_query(con, path, sql)` and `write_xlsx_query(con, path, sql, sheet)` write the
rows of `sql` as the same files `spreadsheets.write_csv` / `write_xlsx` make from Python values
(same formula guard, same typed XLSX cells, same links), atomically.

Why: at 100k records the evidence table is ~50k rows by 28 columns; turning 1.4M values into
CSV fields or XML cells one Python call at a time took seconds on every night the table changed.
DuckDB renders them column-wise, in parallel: the CSV is a `COPY`; the XLSX rows, numbered, and
the links are rendered into a temporary table and fetched a few thousand elements at a time, so
Python only joins strings and hands them to zlib. The rules are the ones of
`spreadsheets.py` (see its docstring): numbers stay numbers, booleans read yes/no, lists are
joined with "; ", text that a spreadsheet would run as a formula gets a leading apostrophe in
CSV, XLSX text is an inline string with XML's forbidden control characters removed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterator

import duckdb

from pipeline.warehouse.db import sql_string
from pipeline.warehouse.spreadsheets import FORMULA_START, _atomic, _column, write_package

_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
            "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL")
_SHEET = "_litmine_sheet"   # temp table: the rendered rows of the sheet being written
ROWS_PER_BLOCK = 2000      # <row> (or link) elements fetched and written at once
_ROW = "\x01"          # stands for the row number in rendered cells: never left in cleaned text
# XML 1.0 forbids these control characters (tab, LF and CR are allowed); they are dropped.
# (A regexp, not translate(): five times faster on text that has none, i.e. nearly all.)
_FORBIDDEN = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"


def _columns(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[str, str]]:
    return [(name, kind) for name, kind, *_ in con.execute(f"DESCRIBE {sql}").fetchall()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _kind(kind: str) -> str:
    if kind.endswith("[]"):
        return "list"
    if kind == "BOOLEAN":
        return "bool"
    if kind.startswith(_NUMERIC):
        return "number"
    return "text"


def _text(column: str, kind: str) -> str:
    """SQL for the column as text, as the Python writers show it."""
    if kind == "list":
        return f"array_to_string({column}, '; ')"
    if kind == "bool":
        return f"CASE WHEN {column} THEN 'yes' WHEN NOT {column} THEN 'no' END"
    return f"{column}::VARCHAR"


def write_csv_query(con: duckdb.DuckDBPyConnection, path: Path, sql: str) -> Path:
    """The rows of `sql` as CSV with a UTF-8 BOM (Excel reads UTF-8), formula-guarded."""
    path, tmp = _atomic(path)
    body = tmp.with_name(tmp.name + ".body")
    starts = ", ".join(sql_string(s) for s in FORMULA_START)
    fields = []
    for name, kind in _columns(con, sql):
        column, kind = _quote(name), _kind(kind)
        if kind == "number":
            fields.append(f"{column} AS {column}")
            continue
        text = _text(column, kind)
        fields.append(f"CASE WHEN left({text}, 1) IN ({starts}) THEN '''' || {text} "
                      f"ELSE nullif({text}, '') END AS {column}")
    try:
        con.execute(f"COPY (SELECT {', '.join(fields)} FROM ({sql})) TO {sql_string(body)} "
                    "(FORMAT csv, HEADER true)")
        with open(tmp, "wb") as out, open(body, "rb") as rows:
            out.write("\ufeff".encode("utf-8"))
            shutil.copyfileobj(rows, out)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        body.unlink(missing_ok=True)
    return path


def _xml_cell(column: str, kind: str, letter: str, text: str | None) -> str:
    """SQL rendering one `<c>` element (or nothing, for NULL or empty text). `text`: the column
    holding the value as text (`_text`) for a text, list or boolean column; None for a number."""
    ref = f'<c r="{letter}{_ROW}"'
    if kind == "number":   # NaN is no number to a spreadsheet: text, as the Python writer does
        return (f"CASE WHEN {column} IS NULL THEN '' "
                f"WHEN {column}::DOUBLE != {column}::DOUBLE OR isnan({column}::DOUBLE) "
                f"THEN '{ref} t=\"inlineStr\"><is><t xml:space=\"preserve\">nan</t></is></c>' "
                f"ELSE '{ref}><v>' || {column}::VARCHAR || '</v></c>' END")
    # Rewritten only when there is something to rewrite: nearly no value has any of these,
    # and a test is a scan where a rewrite copies the string four times.
    escaped = (f"CASE WHEN regexp_matches({text}, '[&<>]|{_FORBIDDEN}') THEN "
               f"replace(replace(replace(regexp_replace({text}, '{_FORBIDDEN}', '', 'g'), "
               f"'&', '&amp;'), '<', '&lt;'), '>', '&gt;') ELSE {text} END")
    # an empty list still gets its (empty) cell, as in the Python writer
    empty = f"{text} IS NULL" + ("" if kind == "list" else f" OR {text} = ''")
    return (f"CASE WHEN {empty} THEN '' ELSE '{ref} t=\"inlineStr\"><is><t xml:space=\"preserve\">'"
            f" || {escaped} || '</t></is></c>' END")


def write_xlsx_query(con: duckdb.DuckDBPyConnection, path: Path, sql: str,
                     sheet: str = "Sheet1") -> Path:
    """The rows of `sql` as a one-sheet workbook; *_url columns are clickable links."""
    columns = _columns(con, sql)
    header = [name for name, _ in columns]
    # Each value's text computed once, beside the row (it is tested, then maybe rewritten).
    texts = {c: f'"_litmine_text_{c}"' for c, (_, kind) in enumerate(columns)
             if _kind(kind) != "number"}
    inner = ", ".join(["*"] + [f"{_text(_quote(columns[c][0]), _kind(columns[c][1]))} AS {name}"
                               for c, name in texts.items()])
    # concat() of all cells at once: a chain of || copies the growing row at every cell
    cells = "concat(" + ", ".join(_xml_cell(_quote(name), _kind(kind), _column(c), texts.get(c))
                                  for c, (name, kind) in enumerate(columns)) + ")" \
        if columns else "''"
    url_columns = [c for c, name in enumerate(header) if name.endswith("_url")]
    urls = "".join(f", {_quote(header[c])}::VARCHAR AS url_{c}" for c in url_columns)
    # The rendered rows in a temporary table: its rowid is the row's place in `sql`.
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_SHEET} AS SELECT {cells} AS cells{urls} "
                f"FROM (SELECT {inner} FROM ({sql}))")
    try:
        return write_package(path, header, _blocks(con, _rows_sql()),
                             lambda: _blocks(con, _links_sql(url_columns, "hyperlink")),
                             lambda: _blocks(con, _links_sql(url_columns, "relationship")),
                             sheet)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {_SHEET}")


def _blocks(con: duckdb.DuckDBPyConnection, sql: str) -> Iterator[str]:
    """The XML of `sql` (columns `position`, `xml`; positions consecutive) in order,
    ROWS_PER_BLOCK elements a string, joined by DuckDB (Python takes a few large strings, not
    one per row)."""
    cursor = con.execute(f"""SELECT string_agg(xml, '' ORDER BY position) FROM ({sql})
                             GROUP BY position // {ROWS_PER_BLOCK}
                             ORDER BY position // {ROWS_PER_BLOCK}""")
    while block := cursor.fetchone():
        yield block[0] or ""


def _rows_sql() -> str:
    """Each `<row>` of the sheet; data rows start at row 2, under the header."""
    row = "(rowid + 2)::VARCHAR"
    return (f"SELECT rowid AS position, '<row r=\"' || {row} || '\">' || "
            f"replace(cells, '{_ROW}', {row}) || '</row>' AS xml FROM {_SHEET}")


def _links_sql(url_columns: list[int], element: str) -> str:
    """The `<hyperlink>` (in the sheet) or `<Relationship>` (in its rels file) of each http(s)
    URL cell, numbered rId1, rId2, ... by row, then column, as `spreadsheets.write_book` does."""
    if not url_columns:
        return "SELECT 0 AS position, '' AS xml WHERE false"
    cells = " UNION ALL ".join(
        f"SELECT rowid AS r, {c} AS c, '{_column(c)}' AS letter, url_{c} AS url FROM {_SHEET} "
        f"WHERE starts_with(url_{c}, 'https://') OR starts_with(url_{c}, 'http://')"
        for c in url_columns)
    if element == "hyperlink":
        xml = ("'<hyperlink ref=\"' || letter || (r + 2)::VARCHAR || '\" r:id=\"rId' || "
               "link::VARCHAR || '\"/>'")
    else:
        target = ("replace(replace(replace(replace(url, '&', '&amp;'), '<', '&lt;'), "
                  "'>', '&gt;'), '\"', '&quot;')")
        xml = ("'<Relationship Id=\"rId' || link::VARCHAR || '\" Type=\"http://schemas."
               "openxmlformats.org/officeDocument/2006/relationships/hyperlink\" Target=\"' || "
               f"{target} || '\" TargetMode=\"External\"/>'")
    return (f"SELECT link AS position, {xml} AS xml FROM "
            f"(SELECT *, row_number() OVER (ORDER BY r, c) AS link FROM ({cells}))")
