"""PDFs printed by headless Chromium (Debian's chromium) from HTML: the layouts web-to-PDF
reviews have. The expected values are the table as the printed page shows it
(`review_table.expected.csv`, the same rows as the HTML source), mapped through the legend
printed under the table."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipeline.parse.pdf import parse_pdf

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "chromium"
# The printed legend: "RCT Randomized Clinical Trial, NRCT Non-randomized controlled trial, OP
# Observational prospective, OR Observational retrospective, CS Case series, CR Case report".
DESIGN = {"RCT": "rct", "RCT vs Sham": "rct", "NRCT": "nonrandomized_trial",
          "OP": "prospective_observational", "OR": "retrospective_observational",
          "CS": "case_series", "CR": "case_report"}
GUIDANCE = {"US": ["ultrasound"], "US + NS": ["ultrasound", "nerve_stimulator"], "FL": ["fluoroscopy"],
            "CT": ["ct"], "Surgical": ["surgical"], "Landmark": ["landmark"]}
DAYS = {"6 months": 180, "12 weeks": 84, "3 months": 90, "12 months": 360, "6 weeks": 42,
        "2 years": 730, "90 days": 90}


@pytest.fixture(scope="module")
def review():
    return parse_pdf((FIXTURES / "review_table.pdf").read_bytes())


@pytest.fixture(scope="module")
def expected():
    with (FIXTURES / "review_table.expected.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_three_page_table_comes_back_row_for_row(review, expected):
    assert len(review["tables"]) == 1
    table = review["tables"][0]
    assert table["page"] == 1 and table["continued_pages"] == [2, 3]
    assert table["header"] == ["Author, Year", "Design", "Patients (n)", "Target(s)", "Guidance",
                               "Follow up", "Outcome"]
    assert table["caption"].startswith("Table 2. Characteristics of included studies")
    assert [row[0] for row in table["rows"]] == [e["study"] for e in expected]
    # Row 16 is split by the first page break: the rest of its outcome is on page 2.
    assert table["rows"][15][6] == expected[15]["outcome"]
    assert all(row[6] == e["outcome"] for row, e in zip(table["rows"], expected))


def test_evidence_rows_map_designs_through_the_printed_legend(review, expected):
    rows = review["evidence_rows"]
    assert len(rows) == len(expected)
    for row, e in zip(rows, expected):
        assert row["ref"] == int(e["study"].split("[")[1].rstrip("]"))
        assert row["design"] == DESIGN[e["design"]], e
        assert row["sample_size"] == int(e["n"])
        assert sorted(row["guidance"]) == sorted(GUIDANCE[e["guidance"]]), e
        assert row["follow_up_days"] == DAYS[e["follow_up"]], e


def test_table_text_stays_out_of_the_prose(review):
    prose = " ".join(s["text"] for s in review["sections"])
    assert "hypoaesthesia" not in prose and "Observational retrospective" not in prose
    assert "ILLUSTRATIVE document" in prose


@pytest.fixture(scope="module")
def paper():
    return parse_pdf((FIXTURES / "two_column_paper.pdf").read_bytes())


def test_two_column_prose_reads_in_order_without_the_margin_stamp(paper):
    names = [s["name"] for s in paper["sections"]]
    assert names[-4:] == ["introduction", "methods", "results", "discussion"]
    text = {s["name"]: s["text"] for s in paper["sections"]}
    # Methods runs from the foot of the left column to the top of the right one.
    assert text["methods"].startswith("Twenty-four adults with knee pain for more than six months")
    assert text["methods"].endswith("Adverse events were recorded at every visit and by telephone between visits.")
    assert "under ultrasound guidance with a 2 mm probe" in text["methods"]
    assert not any("Downloaded from" in t or "preprints.example.org" in t for t in text.values())


def test_two_row_header_and_multi_line_cells(paper):
    table, = paper["tables"]
    assert table["header"] == ["Visit", "Pain (NRS) mean", "Pain (NRS) SD", "Responders", "Notes"]
    assert table["rows"] == [
        ["Baseline", "6.8", "1.2", "-", "All 24 patients after diagnostic block"],
        ["1 month", "2.9", "1.6", "17", "One patient missed the visit"],
        ["3 months", "3.1", "1.9", "14", "Primary end point"],
        ["6 months", "3.9", "2.1", "9", "22 patients seen; 2 lost to follow-up"],
    ]


def test_three_column_prose_reads_column_by_column():
    doc = parse_pdf((FIXTURES / "three_column_paper.pdf").read_bytes())
    text = {s["name"]: s["text"] for s in doc["sections"]}
    assert list(text)[-4:] == ["introduction", "methods", "results", "discussion"]
    assert text["introduction"].startswith("Chronic knee pain after arthroplasty is common")
    assert text["introduction"].endswith("a standard pain diary kept by every participant.")
    # Results runs from the foot of the middle column to the top of the right one.
    assert "completed the procedure and twenty-two were seen at six months" in text["results"]
    assert doc["tables"][0]["rows"][0][0] == "Baseline"
