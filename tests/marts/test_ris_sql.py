"""The RIS file rendered by DuckDB says exactly what the Python writer says, byte for byte, for
the values that are easy to get wrong: line breaks and odd whitespace inside a value, empty and
missing values, authors and keywords lists with gaps, records without journal or PMID."""

from __future__ import annotations

import duckdb

from pipeline.warehouse.ris import to_ris
from pipeline.warehouse.ris_sql import RECORDS_PER_BLOCK, write_ris_table

RECORDS = """
SELECT * FROM (VALUES
    ('Cryo' || chr(10) || 'neurolysis  of' || chr(9) || 'the knee ', ['Ilfeld B', '', NULL, ' Chen  L'],
     2019, 'Pain Med', '10.1/x', '123', NULL, 'Background:' || chr(13) || chr(10) || 'x' || chr(133),
     'https://pubmed.ncbi.nlm.nih.gov/123/', 'https://doi.org/10.1/x', NULL, NULL,
     ['knee', '', NULL], 'design: rct; primary study', 'pmid:123'),
    ('Preprint' || chr(8195) || 'title', []::VARCHAR[], NULL, '', NULL, '', 'PPR9', '   ',
     NULL, NULL, 'https://europepmc.org/article/PPR/PPR9', 'https://x.org/a.pdf',
     NULL, NULL, 'ppr:9'),
    (NULL, NULL, 2001, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, []::VARCHAR[],
     'design: not reported; review', 'pmid:7'),
    ('Ünïcode – “quotes” & <tags>', ['Øster Å'], 2024, 'J' || chr(28) || 'Pain', NULL, '8',
     NULL, 'Text.', NULL, NULL, NULL, NULL, ['shoulder'], NULL, 'pmid:8'),
    -- single line breaks between sections (the common case), and breaks beside a space, doubled,
    -- leading or trailing, which must still collapse as runs
    (chr(10) || 'Leading break', ['A' || chr(10) || 'B'], 2020, 'Pain' || chr(10) || 'Medicine',
     'x' || chr(10), '9', NULL,
     'Background: pain.' || chr(10) || 'Methods: 12 patients.' || chr(10) || 'Results: fell.',
     NULL, NULL, NULL, NULL, ['a ' || chr(10) || 'b', 'c' || chr(10) || chr(10) || 'd'],
     'note' || chr(10) || ' spaced', 'pmid:9')
) AS t(title, authors, year, journal, doi, pmid, preprint_id, abstract, pubmed_url, doi_url,
       full_text_url, pdf_url, keywords, note, article_id)"""


def python_ris(con, table: str) -> bytes:
    cursor = con.execute(f"SELECT * FROM {table} ORDER BY rowid")
    names = [d[0] for d in cursor.description]
    return "".join(to_ris(dict(zip(names, row)) for row in cursor.fetchall())).encode("utf-8")


def test_duckdb_rendered_ris_matches_the_python_writer(tmp_path):
    con = duckdb.connect()
    con.execute(f"CREATE TEMP TABLE included AS {RECORDS}")
    write_ris_table(con, tmp_path / "included.ris", "included")
    assert (tmp_path / "included.ris").read_bytes() == python_ris(con, "included")
    assert b"TI  - Cryo neurolysis of the knee\r\nAU  - Ilfeld B\r\nAU  - Chen L\r\n" in \
        (tmp_path / "included.ris").read_bytes()
    assert b"AB  - Background: pain. Methods: 12 patients. Results: fell.\r\n" in \
        (tmp_path / "included.ris").read_bytes()


def test_records_keep_their_order_across_blocks(tmp_path):
    con = duckdb.connect()
    count = 2 * RECORDS_PER_BLOCK + 3
    con.execute(f"""CREATE TEMP TABLE included AS
        SELECT * REPLACE ('Study ' || (({count} - i) * 7919 % {count}) AS title,
                          'pmid:' || i AS article_id)
        FROM ({RECORDS}) AS r, range({count}) AS n(i) WHERE r.article_id = 'pmid:8'
        ORDER BY i""")
    write_ris_table(con, tmp_path / "included.ris", "included")
    assert (tmp_path / "included.ris").read_bytes() == python_ris(con, "included")


def test_no_records_is_an_empty_file(tmp_path):
    con = duckdb.connect()
    con.execute(f"CREATE TEMP TABLE included AS {RECORDS} LIMIT 0")
    write_ris_table(con, tmp_path / "included.ris", "included")
    assert (tmp_path / "included.ris").read_bytes() == b""
