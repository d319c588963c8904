"""Tables from generated PDFs: ruled, unruled, wrapped cells, a table continued over pages, and a
review's 50-row characteristics table turned into evidence rows linked to the reference list."""

from __future__ import annotations

import pytest

from pipeline.parse.pdf import parse_pdf
from tests.parse import pdf_factory as F


def _only_table(parsed):
    assert len(parsed["tables"]) == 1, [t["header"] for t in parsed["tables"]]
    return parsed["tables"][0]


def test_ruled_table_cells_header_caption():
    pdf, truth = F.ruled_table_pdf()
    t = _only_table(parse_pdf(pdf))
    assert t["header"] == truth["header"]
    assert t["rows"] == truth["rows"]
    assert t["page"] == 1 and len(t["bbox"]) == 4 and t["bbox"][0] < t["bbox"][2]
    assert t["caption"].startswith(truth["caption"])
    assert "NRS, numeric rating scale" in t["caption"]        # the legend travels with the table


def test_unruled_table_by_alignment():
    pdf, truth = F.unruled_table_pdf()
    parsed = parse_pdf(pdf)
    t = _only_table(parsed)
    assert t["header"] == truth["header"]
    assert t["rows"] == truth["rows"]
    body = " ".join(s["text"] for s in parsed["sections"])
    assert "3.1 (1.2)" not in body                            # table text is not body text


@pytest.mark.parametrize("ruled", [True, False])
def test_wrapped_cells_kept_whole(ruled):
    pdf, truth = F.wrapped_cells_pdf(ruled=ruled)
    t = _only_table(parse_pdf(pdf))
    assert t["header"] == truth["header"]
    assert t["rows"] == truth["rows"]


@pytest.fixture(scope="module")
def review():
    pdf, truth = F.review_pdf(50)
    return parse_pdf(pdf), truth


def test_table_spanning_pages_is_joined(review):
    parsed, truth = review
    t = _only_table(parsed)
    assert t["page"] == 2 and t["continued_pages"], t["continued_pages"]
    assert len(t["rows"]) == 50
    assert t["header"] == truth["header"]                     # the repeated header is not a row
    assert t["caption"].startswith("Table 1. Characteristics of included studies")


def cell_accuracy(table, truth) -> float:
    expected = [truth["header"]] + [r["cells"] for r in truth["rows"]]
    got = [table["header"]] + table["rows"]
    total = sum(len(r) for r in expected)
    right = sum(1 for i, row in enumerate(expected) for j, cell in enumerate(row)
                if i < len(got) and j < len(got[i]) and got[i][j] == cell)
    return right / total


def test_fifty_row_table_cell_accuracy(review):
    parsed, truth = review
    acc = cell_accuracy(_only_table(parsed), truth)
    print(f"cell accuracy on the 50-row characteristics table: {acc:.1%}")
    assert acc >= 0.95


def test_evidence_rows_normalised_and_linked(review):
    parsed, truth = review
    rows = parsed["evidence_rows"]
    assert len(rows) == 50
    refs = {r["number"]: r for r in parsed["references"]}
    assert len(refs) == 51
    for got, want in zip(rows, truth["rows"]):
        assert got["ref"] == want["ref"] and got["ref"] in refs            # every row linked
        assert got["doi"] == want["doi"]
        assert got["author"] == want["author"] and got["year"] == want["year"]
        assert got["design"] == want["design"], (got, want["cells"])       # legend-expanded codes
        assert got["sample_size"] == want["sample_size"]
        assert got["target_groups"] == want["target_groups"], (got, want["cells"])
        assert got["guidance"] == want["guidance"], (got, want["cells"])
        assert got["follow_up_days"] == want["follow_up_days"], (got, want["cells"])
        assert got["outcome_text"] == want["cells"][6]
    ipbsn = next(r for r in rows if r["targets"] and "saphenous" in r["target_groups"])
    assert "infrapatellar branch of the saphenous nerve" in ipbsn["targets"]   # IPBSN expanded by the legend


def test_sample_review_pdf_from_corpus():
    from pathlib import Path
    pdf = Path(__file__).resolve().parents[2] / "pipeline/mirror/sample_corpus/pdfs/PPR900001.pdf"
    parsed = parse_pdf(pdf)
    rows = parsed["evidence_rows"]
    assert len(rows) == 10 and all(r["ref"] == i for i, r in enumerate(rows, 1))
    by_ref = {r["ref"]: r for r in rows}
    assert by_ref[2]["design"] == "prospective_observational"          # "OP" from the caption legend
    assert by_ref[5]["guidance"] == ["ultrasound", "nerve_stimulator"]  # "US + NS"
    assert by_ref[3]["follow_up_days"] == 540                           # "2-18 mo"
    assert by_ref[1]["doi"] == "10.5555/litmine.0001" and by_ref[6]["doi"] is None


def test_unruled_table_over_three_pages():
    pdf, truth = F.unruled_long_table_pdf()
    t = _only_table(parse_pdf(pdf))
    assert t["continued_pages"] == [2, 3]
    assert t["header"] == truth["header"] and t["rows"] == truth["rows"]   # no row lost as "footer"
