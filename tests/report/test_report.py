"""`write_report` renders one self-contained page over the marts, with the evidence map."""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import duckdb
import pytest

from pipeline.report import report_dir, write_report
from pipeline.warehouse import db
from pipeline.warehouse.publish import publish_snapshot
from tests.marts.warehouse import add_run, add_study, at, curate

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def warehouse(settings):
    """A few studies across targets and designs, one curated, two flagged, after one run."""
    con = db.connect(settings)
    add_run(con, "run-1", at(1))
    add_study(con, "pmid:1", "run-1", at(0.5), first_author="Ilfeld B", design="rct", sample_size=60,
              target_groups=("genicular", "saphenous"), follow_up_days=180,
              responder_pct=62.0, responder_threshold_pct=50.0)
    add_study(con, "pmid:2", "run-1", at(0.5), first_author="Chen L", design="systematic_review",
              sample_size=None, target_groups=("genicular",), follow_up_days=None)
    add_study(con, "pmid:3", "run-1", at(0.5), first_author="Patel D <b>", design="case_series",
              sample_size=12, target_groups=("intercostal",), follow_up_days=84,
              flags=[("sample_size", "rules disagree: largest count 12, enrolment count 5")])
    add_study(con, "pmid:4", "run-1", at(0.5), first_author="Moss K", design="rct", sample_size=30,
              target_groups=("genicular",), follow_up_days=365,
              flags=[("indication", "low confidence 0.40 < 0.60 (indication.noun)")])
    curate(con, "pmid:4", "sample_size", 32, at(0.8))
    yield con
    con.close()


def test_report_renders_every_section_self_contained(warehouse, settings):
    path = write_report(warehouse, settings, report_dir(settings))
    assert path == Path(settings.warehouse).parent / "report" / "index.html"
    html = path.read_text()
    for section in ("Run summary", "Flow of records (PRISMA 2020)", "Evidence table",
                    "Reviews, protocols and technical notes", "Extraction quality", "Evidence map", "Follow-up",
                    "What's new in the last run", "Curation backlog"):
        assert section in html
    # Self-contained: inline CSS and SVG; no script, stylesheet link, image or font from elsewhere.
    assert "<style>" in html and "<script" not in html and "<link" not in html
    assert not re.search(r'src="(https?:)?//', html) and "url(" not in html
    # Links out (PubMed, DOI) are navigation, not resources the page needs.
    # Data Docs linked relatively: warehouse/report/ -> warehouse/docs/index.html.
    assert 'href="../docs/index.html"' in html
    # The evidence table, with the curator's value and escaped text.
    assert "Ilfeld B 2024" in html and "outcome at 6 months: 62% responders (50% relief threshold)" in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/1/"' in html
    assert "Patel D &lt;b&gt; 2024" in html and "Patel D <b>" not in html
    assert re.search(r"Moss K 2024.*?<td class=\"num\">32</td>", html, re.S)
    assert "rules disagree: largest count 12, enrolment count 5" in html   # the backlog


def test_evidence_map_has_one_bubble_per_target_and_design_cell(warehouse, settings):
    html = write_report(warehouse, settings, report_dir(settings)).read_text()
    svg = re.search(r'<svg[^>]*class="evidence-map".*?</svg>', html, re.S)
    assert svg, "the evidence map SVG is inline in the page"
    bubbles = re.findall(r'<circle class="bubble" data-target="([^"]+)" data-design="([^"]+)" '
                         r'data-studies="(\d+)" data-patients="(\d+)"', svg.group(0))
    cells = warehouse.execute("""SELECT target_group, design, studies, patients
                                 FROM marts.studies_by_target_and_design""").fetchall()
    assert sorted((t, d, int(s), int(p)) for t, d, s, p in bubbles) == sorted(cells)
    assert len(bubbles) == 4    # genicular x {rct, systematic_review}, saphenous x rct, intercostal x case_series
    bars = re.findall(r'<rect class="bar" data-band="([^"]+)" data-studies="(\d+)"', html)
    assert {unescape(band): int(n) for band, n in bars} == {
        "< 1 month": 0, "1–3 months": 1, "3–6 months": 0, "6–12 months": 1, "≥ 12 months": 1,
        "not reported": 0}      # the review is not in the evidence table


def test_report_shows_the_flow_of_records_and_the_accuracy_estimate(warehouse, settings):
    warehouse.execute("UPDATE ops.runs SET fetched = 4 WHERE source = 'pubmed'")
    curate(warehouse, "pmid:1", "design", "rct", at(0.9), action="accept", old_value="rct")
    curate(warehouse, "pmid:3", "design", "case_report", at(0.9), old_value="case_series")
    html = write_report(warehouse, settings, report_dir(settings)).read_text()
    flow = re.search(r'<table class="prisma-flow">.*?</table>', html, re.S).group(0)
    cells = {box: (int(night), int(total)) for box, night, total in re.findall(
        r'<tr data-box="(\w+)">.*?<td class="num">(\d+)</td><td class="num">(\d+)</td>', flow, re.S)}
    assert cells["identified"] == (4, 4) and cells["screened"] == (4, 4) and cells["relevant"] == (4, 4)
    assert cells["curated"] == (3, 3)
    quality = re.search(r'<table class="accuracy">.*?</table>', html, re.S).group(0)
    design = re.search(r'<tr data-field="design">.*?</tr>', quality, re.S).group(0)
    assert "<b>50 %</b>" in design and "(9–91 %)" in design     # 1 of 2 kept, Wilson 95 %


def test_report_reads_the_read_only_snapshot(warehouse, settings, tmp_path):
    publish_snapshot(warehouse, settings.warehouse, settings.published)
    snapshot = duckdb.connect(str(settings.published), read_only=True)
    try:
        html = write_report(snapshot, settings, tmp_path / "out").read_text()
    finally:
        snapshot.close()
    assert html.count('class="bubble"') == 4


def test_report_of_an_empty_warehouse(settings):
    con = db.connect(settings)
    html = write_report(con, settings, report_dir(settings)).read_text()
    con.close()
    assert "No relevant studies yet." in html and "No run recorded yet." in html


def test_report_screenshot(warehouse, settings):
    """A PNG of the page for reviewers; needs a headless Chromium, skipped without one."""
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium to take the screenshot")
    path = write_report(warehouse, settings, report_dir(settings))
    png = path.with_name("report.png")
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
                    f"--screenshot={png}", "--window-size=1280,2000", path.resolve().as_uri()],
                   check=True, timeout=120, capture_output=True)
    assert png.stat().st_size > 10_000
    shutil.copyfile(png, "/tmp/report.png")


def test_the_page_lists_at_most_max_rows_per_table_with_the_totals(settings, monkeypatch):
    """The page does not grow with the warehouse: long tables are cut, the counts stay whole."""
    monkeypatch.setattr("pipeline.report.data.MAX_ROWS", 2)
    con = db.connect(settings)
    add_run(con, "run-1", at(1))
    for i in range(5):
        add_study(con, f"pmid:{i + 1}", "run-1", at(0.5), first_author=f"Author{i} X",
                  follow_up_days=365, responder_pct=70.0, responder_threshold_pct=50.0)
    html = write_report(con, settings, report_dir(settings)).read_text()
    con.close()
    evidence = re.search(r'<table class="evidence-table">.*?</table>', html, re.S).group(0)
    assert evidence.count("<tr><td><b>") == 2 and "Showing 2 of 5" in html
    responders = re.search(r'id="responders">.*?</section>', html, re.S).group(0)
    assert responders.count("<tr><td>") == 2 and "Showing 2 of 5" in responders
    assert "<b>5</b><span>studies with ≥ 6 months" in html
