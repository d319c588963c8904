"""The RIS export of a table of included records, with each record's text rendered by DuckDB.

What: `write_ris_table(con, path, table)` writes the rows of `table` (the columns `ris.to_ris`
reads: title, authors, year, journal, doi, pmid, preprint_id, abstract, the four URLs,
keywords, note, article_id), in the table's row order, as the same bytes `ris.to_ris` makes
from them, atomically. `write_ris_spliced` writes the same bytes, copying the records the
previous file already holds from it (`splice.py`): a night renders only its new records.

Why: a new study sorts into the middle of the file, so a night that includes one rewrites it
whole (see `exports.py`); at 100k records building ~2M tagged lines one Python call at a time
took seconds. DuckDB renders the records column-wise and hands back a few thousand of them
per string, so Python only writes large blocks. The rules are `ris.to_ris`'s: a record is
JOUR with a journal, UNPB for a preprint, GEN otherwise; a value becomes one line with every
run of whitespace (as Python's `str.split` counts it) a single space; an empty value, author
or keyword gets no line; CRLF line ends and a blank line between records.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from pipeline.warehouse.splice import write_spliced

CRLF = "chr(13) || chr(10)"
# The characters Python's str.isspace() accepts other than the space, as an RE2 class.
_BREAKS = (r"[\t\n\x{0b}\x{0c}\r\x{1c}-\x{1f}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}"
           r"\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]")
_WHITESPACE = _BREAKS[:-1] + " ]+"
# A value needs rewriting only when it has such a character, two spaces or an outer space:
# matching is a fast scan, replacing is not (0.1 s against 0.8 s for 100k abstracts).
_NOT_ONE_LINE = _BREAKS + "|  |^ | $"
RECORDS_PER_BLOCK = 2000          # records joined into one string per fetch


def _one_line(value: str) -> str:
    """SQL: the value as text on one line, NULL when that leaves nothing (`ris._one_line`).

    Most multi-line values are structured abstracts whose only odd whitespace is a single line
    break between sections: for them a plain replace of the line break gives the same text as
    collapsing every run, at a fraction of the cost of the regexp rewrite (5 s for 90k
    abstracts); a value still odd after it takes the rewrite."""
    text = f"{value}::VARCHAR"
    joined = f"replace({text}, chr(10), ' ')"
    return (f"nullif(CASE WHEN NOT regexp_matches({text}, '{_NOT_ONE_LINE}') THEN {text} "
            f"WHEN NOT regexp_matches({joined}, '{_NOT_ONE_LINE}') THEN {joined} "
            f"ELSE trim(regexp_replace({text}, '{_WHITESPACE}', ' ', 'g'), ' ') END, '')")


def _tag(tag: str, value: str) -> str:
    return f"'{tag}  - ' || {_one_line(value)}"


def _tags(tag: str, values: str) -> str:
    """SQL: one line per non-empty element of a list, joined; NULL when none is left."""
    lines = (f"list_filter(list_transform({values}, lambda v: {_tag(tag, 'v')}), "
             "lambda l: l IS NOT NULL)")
    return f"nullif(array_to_string({lines}, {CRLF}), '')"


def record_sql() -> str:
    """SQL for one record's RIS block, ending with its `ER  - ` line and a line end."""
    kind = ("CASE WHEN coalesce(journal, '') <> '' THEN 'JOUR' "
            "WHEN coalesce(preprint_id, '') <> '' THEN 'UNPB' ELSE 'GEN' END")
    accession = "CASE WHEN coalesce(pmid, '') <> '' THEN 'PMID:' || pmid ELSE preprint_id END"
    lines = [f"'TY  - ' || {kind}", _tag("TI", "title"), _tags("AU", "authors"),
             _tag("PY", "year"), _tag("JO", "journal"), _tag("DO", "doi"),
             _tag("AN", accession), _tag("AB", "abstract")]
    lines += [_tag("UR", url) for url in ("pubmed_url", "doi_url", "full_text_url", "pdf_url")]
    lines += [_tags("KW", "keywords"), _tag("N1", "note"), _tag("ID", "article_id"), "'ER  - '"]
    return f"concat_ws({CRLF}, {', '.join(lines)}) || {CRLF}"


def write_ris_table(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> Path:
    """The records of `table`, in its row order (rowid), as a RIS file at `path`."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    cursor = con.execute(f"""
        SELECT string_agg(text, {CRLF} ORDER BY position)
        FROM (SELECT rowid AS position, {record_sql()} AS text FROM {table})
        GROUP BY position // {RECORDS_PER_BLOCK} ORDER BY position // {RECORDS_PER_BLOCK}""")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as out:
            first = True
            while block := cursor.fetchone():
                out.write(block[0] if first else "\r\n" + block[0])
                first = False
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_ris_spliced(con: duckdb.DuckDBPyConnection, path: Path, table: str, index: Path) -> int:
    """As `write_ris_table`, rendering only the records the previous file (indexed in `index`,
    see `splice.py`) does not hold as they are now; returns how many it rendered."""
    return write_spliced(con, path, table, "article_id", record_sql(), "\r\n", index)
