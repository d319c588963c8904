"""The PDF of a real published review (BMC Cancer 2016;16:642, CC BY 4.0, from ContentMine's
test corpus): its "characteristic of studies" table comes back row for row across the page
break, mapped to evidence rows, and its prose stays prose. Expected values are the table as the
rendered pages show it (`table1.expected.csv`), see the fixture folder's README."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipeline.parse.evidence_table import parse_legend
from pipeline.parse.pdf import parse_pdf

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "review_pdf"
DESIGN = {"retrospective": "retrospective_observational", "prospective": "prospective_observational"}


@pytest.fixture(scope="module")
def review():
    return parse_pdf(FIXTURES / "bmc-cancer-16-642-yu2016.pdf")


@pytest.fixture(scope="module")
def expected():
    with (FIXTURES / "table1.expected.csv").open() as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def table1(review):
    found = [t for t in review["tables"] if (t["caption"] or "").startswith("Table 1 ")]
    assert len(found) == 1
    return found[0]


def test_evidence_table_comes_back_row_for_row_across_the_page_break(table1, expected):
    assert table1["page"] == 4 and table1["continued_pages"] == [5]
    assert table1["header"] == ["Author", "Year", "Country", "Study type", "Mean age", "Male (%)",
                                "Sample size", "Category of exposure ( N )", "Outcome",
                                "Adjusted variable", "NOS score"]
    assert len(table1["rows"]) == len(expected) == 17
    for row, e in zip(table1["rows"], expected):
        assert row[0] == f"{e['author']} [{e['ref']}]"
        assert row[1:4] == [e["year"], e["country"], e["study_type"]], e
        assert row[6] == e["sample_size"], e
        # the score and its superscript footnote mark ("5ᵃ": a conference abstract)
        assert row[10].replace(" ", "") == e["nos"], e


def test_multi_line_cells_and_the_row_cut_by_the_page_break(table1):
    rows = {r[0]: r for r in table1["rows"]}
    first = table1["rows"][0]
    assert first[9].startswith("age, educational status, body mass index (weight (kg)/height (m)2), physical")
    assert "first-degree relative, menopausal status, smoking status" in first[9]
    assert first[9].endswith("fruit and vegetable intake, and regular aspirin use")
    # a cell's second paragraph set closer than the cell's lines
    assert rows["Jill E. Elwing [38]"][8] == "Any Adenoma (159) Advanced adenoma (46)"
    assert rows["Tomomi Marugame [15]"][7] == "Newly diagnosed T2DM (41)"
    # Wang, JH: the last row on page 4; its adjusted variables run on at the top of page 5
    wang = table1["rows"][15]
    assert wang[0] == "Wang, JH [44]" and wang[6] == "470"
    assert wang[9].startswith("abdominal circumference, daily calories & fat intake")
    assert wang[9].endswith("family history of cancer in digestive system, LDL and hsCRP, while female and daily fiber intake")
    # the one row printed under "Table 1 ... (Continued)"
    assert table1["rows"][16][7] == "Diabetes (34)/Glucose (mg/100 ml)"


def test_legend_under_the_continued_part(table1):
    legend = parse_legend(table1["caption"])
    assert legend["CRA"] == "colorectal adenoma" and legend["T2DM"] == "type 2 diabetes mellitus"
    assert legend["hsCRP"] == "high-sensitivity C-reactive protein" and legend["HDL-C"] == "high density lipoprotein cholesterol"
    # the footnote line "ᵃ conference abstract" is not read into the last definition
    assert legend["NA"] == "not available"


def test_evidence_rows_link_the_cited_studies(review, expected):
    rows = review["evidence_rows"]
    assert len(rows) == len(expected)
    refs = {r["number"]: r for r in review["references"]}
    for row, e in zip(rows, expected):
        assert row["ref"] == int(e["ref"]) and row["year"] == int(e["year"])
        assert row["design"] == DESIGN[e["study_type"]], e
        assert row["sample_size"] == int(e["sample_size"])
        # the cited work is the study in the row (the table prints some authors by first name)
        assert refs[row["ref"]]["year"] == int(e["year"]), e
    assert [refs[n]["first_author"] for n in (13, 16, 36, 44)] == ["Dash", "Misciagna", "Bouwens", "Wang"]


def test_prose_stays_prose(review):
    names = [s["name"] for s in review["sections"]]
    for name in ("abstract", "introduction", "methods", "results", "discussion", "conclusions", "references"):
        assert name in names
    text = {s["name"]: s["text"] for s in review["sections"]}
    # page 5: two columns of text between the table and a forest plot, read column by column
    assert ("insulin-like growth factor 1 (IGF-1) might take effect in the adenoma – carcinoma process. "
            "High insulin levels could promote tumor growth") in text["discussion"]
    assert "Therefore, dietary habits might be a confounding factors." in text["discussion"]
    prose = " ".join(text.values())
    for cell_text in ("Chiranjeev", "abdominal circumference", "hsCRP, while female", "DM diabetes mellitus, T2DM"):
        assert cell_text not in prose
    # back-matter headings set only in another face: the reference list is found and parsed
    # (65 numbered entries on pages 8 and 9, the last five alone at the top of page 9)
    assert [r["number"] for r in review["references"]] == list(range(1, 66))
    assert review["references"][0]["first_author"] == "Tripathi"
    assert review["references"][63]["first_author"] == "Yang"


def test_two_row_header_with_spanning_cells_in_a_second_review():
    # BMC Public Health 2016;16:396 (CC BY 4.0), Table 1 on page 4, read off the rendered page.
    doc = parse_pdf(FIXTURES / "bmc-public-health-16-396-ide2016.pdf")
    table = doc["tables"][0]
    assert table["page"] == 4 and table["caption"].startswith("Table 1 Characteristics of the included studies")
    assert table["header"] == ["Author", "Year of publication", "Total N", "Age (yr), mean ± SD Tea",
                               "Age (yr), mean ± SD Control", "Sex (M/F) Tea", "Sex (M/F) Control",
                               "Duration (mo)", "Study design", "Reference"]
    assert table["rows"] == [
        ["Iwata et al.", "1997", "297", "30 ± NA", "24 ± NA", "NA", "NA", "5", "Prospective cohort", "[17]"],
        ["Yamada et al.", "2006", "124", "83 ± 8", "83 ± 8", "24/52", "16/32", "3", "Prospective cohort", "[18]"],
        ["Yamada et al.", "2007", "404", "40 ± 11", "40 ± 12", "36/164", "52/152", "3", "Randomized controlled", "[19]"],
        ["Toyoizumi et al.", "2013", "308", "16 ± 1", "16 ± 1", "98/57", "86/67", "3", "Randomized controlled", "[21]"],
        ["Ide et al.", "2014", "757", "16 ± 1*", "16 ± 1*", "224/160*", "199/164*", "3", "Randomized controlled", "[22]"]]
    rows = doc["evidence_rows"]
    assert [(r["ref"], r["year"], r["design"], r["sample_size"], r["follow_up_days"]) for r in rows] == [
        (17, 1997, "prospective_observational", 297, 150), (18, 2006, "prospective_observational", 124, 90),
        (19, 2007, "rct", 404, 90), (21, 2013, "rct", 308, 90), (22, 2014, "rct", 757, 90)]
