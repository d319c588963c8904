"""The validation stage against a real (temporary) DuckDB warehouse and the shipped suites."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from pipeline.config import PROJECT_ROOT, Settings
from pipeline.validate import (
    SuiteError,
    ValidationFailed,
    raise_for_table_failures,
    validate_warehouse,
)
from pipeline.warehouse.db import connect

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(warehouse=tmp_path / "w.duckdb", docs_dir=tmp_path / "docs")


@pytest.fixture
def con(settings: Settings):
    con = connect(settings)
    yield con
    con.close()


def add_article(con, article_id: str, *, version: int = 1, is_current: bool = True,
                title: str | None = "Cryoneurolysis of the genicular nerves for knee pain",
                abstract: str | None = "Forty patients were treated; pain improved.",
                year: int | None = 2023, language: str | None = "eng") -> None:
    con.execute(
        """INSERT INTO core.articles (article_id, version, is_current, source, source_id,
               title, abstract, year, language, article_hash, raw_hash, run_id, loaded_at)
           VALUES (?, ?, ?, 'pubmed', ?, ?, ?, ?, ?, 'ah', 'rh', 'load-1', ?)""",
        [article_id, version, is_current, article_id, title, abstract, year, language, NOW])


def add_extraction(con, article_id: str, *, version: int = 1, relevant: bool | None = True,
                   design: str | None = "rct", sample_size: int | None = 40,
                   follow_up_days: int | None = 84,
                   outcome_direction: str | None = "improved") -> None:
    con.execute(
        """INSERT INTO core.extractions (article_id, article_version, extractor_version,
               relevant, design, sample_size, follow_up_days, outcome_direction,
               run_id, extracted_at)
           VALUES (?, ?, 'x1', ?, ?, ?, ?, ?, 'extract-1', ?)""",
        [article_id, version, relevant, design, sample_size, follow_up_days,
         outcome_direction, NOW])


def add_good(con, n: int, prefix: str = "pmid:") -> list[str]:
    ids = [f"{prefix}{i}" for i in range(n)]
    for article_id in ids:
        add_article(con, article_id)
        add_extraction(con, article_id)
    return ids


def flags(con) -> list[tuple]:
    return con.execute("""SELECT suite, expectation, table_name, record_id, column_name, reason
                          FROM ops.flags ORDER BY record_id, expectation, column_name""").fetchall()


def flagged(con) -> set[tuple]:
    return {(row[3], row[1], row[4]) for row in flags(con)}


def test_a_good_warehouse_passes_without_flags(con, settings):
    add_good(con, 3)
    report = validate_warehouse(con, settings, "run-1")
    assert report.success
    assert report.flags_written == 0
    assert flags(con) == []
    assert {s.name: s.evaluated for s in report.suites} == {"articles": 3, "extractions": 3}
    assert all(not s.failed_expectations for s in report.suites)
    raise_for_table_failures(report)  # does not raise
    runs = con.execute("""SELECT suite, success, evaluated, failed, table_failures
                          FROM ops.validation_runs WHERE run_id = 'run-1'
                          ORDER BY suite""").fetchall()
    assert runs == [("articles", True, 3, 0, []), ("extractions", True, 3, 0, [])]


def test_implausible_values_are_flagged_and_the_run_still_succeeds(con, settings):
    add_good(con, 2)
    add_article(con, "pmid:zero")
    add_extraction(con, "pmid:zero", sample_size=0)
    add_article(con, "pmid:long")
    add_extraction(con, "pmid:long", follow_up_days=9000)

    report = validate_warehouse(con, settings, "run-1")

    assert report.success
    assert report.flags_written == 2
    assert flagged(con) == {
        ("pmid:long", "expect_column_values_to_be_between", "follow_up_days"),
        ("pmid:zero", "expect_column_values_to_be_between", "sample_size"),
    }
    rows = {row[3]: row for row in flags(con)}
    assert rows["pmid:zero"][0] == "extractions"
    assert "sample_size 0 is outside 1..100000" in rows["pmid:zero"][5]
    assert "follow_up_days 9000 is outside 1..7305" in rows["pmid:long"][5]
    assert "expect_column_values_to_be_between(sample_size)" in \
        report.suite("extractions").failed_expectations
    assert report.suite("extractions").table_failures == ()


def test_running_validation_twice_does_not_duplicate_flags(con, settings):
    add_good(con, 2)
    add_article(con, "pmid:zero")
    add_extraction(con, "pmid:zero", sample_size=0)

    first = validate_warehouse(con, settings, "run-1")
    again = validate_warehouse(con, settings, "run-1")
    later = validate_warehouse(con, settings, "run-2")

    assert first.flags_written == 1
    assert again.flags_written == 0 and later.flags_written == 0
    assert len(flags(con)) == 1
    assert con.execute("SELECT run_id FROM ops.flags").fetchall() == [("run-1",)]
    assert con.execute("SELECT count(*) FROM ops.validation_runs").fetchone()[0] == 4


def test_a_duplicate_current_article_fails_the_run(con, settings):
    add_good(con, 2)
    add_article(con, "pmid:twice", version=1)
    add_article(con, "pmid:twice", version=2)  # two current versions of one work
    add_extraction(con, "pmid:twice", version=2)

    report = validate_warehouse(con, settings, "run-1")

    assert not report.success
    assert not report.suite("articles").success
    assert any("expect_column_values_to_be_unique" in f
               for f in report.suite("articles").table_failures)
    assert report.suite("extractions").success
    with pytest.raises(ValidationFailed) as failure:
        raise_for_table_failures(report)
    assert "articles" in str(failure.value)
    assert "expect_column_values_to_be_unique(article_id)" in str(failure.value)
    assert con.execute("""SELECT success FROM ops.validation_runs
                          WHERE run_id = 'run-1' AND suite = 'articles'""").fetchone() == (False,)
    assert flags(con) == []  # a table-level failure is not a row flag


def test_data_docs_are_written_under_docs_dir_and_nowhere_else(con, settings, tmp_path,
                                                                monkeypatch):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    repo_gx_before = (PROJECT_ROOT / "gx").exists()
    add_good(con, 2)

    report = validate_warehouse(con, settings, "run-1")

    assert report.docs_index == (settings.docs_dir / "index.html").resolve()
    assert report.docs_index.is_file()
    assert "articles" in report.docs_index.read_text()
    assert list(cwd.iterdir()) == []
    assert (PROJECT_ROOT / "gx").exists() == repo_gx_before
    written = {p.name for p in tmp_path.iterdir()} - {"cwd", "docs"}
    assert all(name.startswith("w.duckdb") for name in written), written


def test_data_docs_render_offline_with_local_assets_only(con, settings):
    add_good(con, 2)
    report = validate_warehouse(con, settings, "run-1")
    pages = list(settings.docs_dir.rglob("*.html"))
    assert len(pages) >= 3
    for page in pages:
        html = page.read_text()
        assert not re.search(r'<(script|link)\b[^>]*(src|href)="(https?:)?//', html), page
        assert "static/litmine/docs.js" in html
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("no chromium to render the page offline")
    dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--disable-background-networking", "--dump-dom",
                          report.docs_index.as_uri()], capture_output=True, text=True, timeout=120).stdout
    # The validation runs and suites, listed by the page's scripts from local files.
    assert re.search(r'<td>\s*articles\s*</td>', dom) and re.search(r'<td>\s*extractions\s*</td>', dom)
    assert "run-1" in dom


def test_an_empty_warehouse_passes(con, settings):
    report = validate_warehouse(con, settings, "run-1")
    assert report.success
    assert report.flags_written == 0
    assert {s.name: s.evaluated for s in report.suites} == {"articles": 0, "extractions": 0}
    assert report.docs_index.is_file()


def test_article_rules(con, settings):
    this_year = date.today().year
    add_good(con, 1)
    add_article(con, "blank-title", title="  ")
    add_article(con, "no-title", title=None)
    add_article(con, "old", year=1850)
    add_article(con, "future", year=this_year + 2)
    add_article(con, "next-year", year=this_year + 1)            # in press: fine
    add_article(con, "two-letter", language="en")
    add_article(con, "relevant-no-abstract", abstract=None)
    add_extraction(con, "relevant-no-abstract", relevant=True)
    add_article(con, "relevant-blank-abstract", abstract="")
    add_extraction(con, "relevant-blank-abstract", relevant=True)
    add_article(con, "irrelevant-no-abstract", abstract=None)
    add_extraction(con, "irrelevant-no-abstract", relevant=False)
    add_article(con, "unextracted-no-abstract", abstract=None)   # relevant is NULL

    report = validate_warehouse(con, settings, "run-1", today=date.today())

    assert report.success
    assert flagged(con) == {
        ("blank-title", "expect_column_values_to_match_regex", "title"),
        ("no-title", "expect_column_values_to_not_be_null", "title"),
        ("old", "expect_column_values_to_be_between", "year"),
        ("future", "expect_column_values_to_be_between", "year"),
        ("two-letter", "expect_column_values_to_match_regex", "language"),
        ("relevant-no-abstract", "expect_column_values_to_not_be_null", "abstract"),
        ("relevant-blank-abstract", "expect_column_values_to_match_regex", "abstract"),
    }
    reasons = {row[3]: row[5] for row in flags(con)}
    assert f"outside 1900..{this_year + 1}" in reasons["future"]
    assert "relevant" in reasons["relevant-no-abstract"]


def test_extraction_enums_flag_unknown_values_and_allow_nulls(con, settings):
    add_good(con, 1)
    add_article(con, "cohort")
    add_extraction(con, "cohort", design="cohort_study", outcome_direction="better")
    add_article(con, "nothing-extracted")
    add_extraction(con, "nothing-extracted", relevant=None, design=None, sample_size=None,
                   follow_up_days=None, outcome_direction=None)

    report = validate_warehouse(con, settings, "run-1")

    assert report.success
    assert flagged(con) == {
        ("cohort", "expect_column_values_to_be_in_set", "design"),
        ("cohort", "expect_column_values_to_be_in_set", "outcome_direction"),
    }


def copy_suites(tmp_path: Path) -> Path:
    target = tmp_path / "expectations"
    shutil.copytree(PROJECT_ROOT / "expectations", target)
    return target


def edit_suite(directory: Path, name: str, edit) -> None:
    path = directory / f"{name}.json"
    doc = json.loads(path.read_text())
    edit(doc)
    path.write_text(json.dumps(doc))


def test_an_expectation_gx_cannot_evaluate_fails_the_run(con, settings, tmp_path):
    directory = copy_suites(tmp_path)
    edit_suite(directory, "extractions", lambda doc: doc["expectations"].append({
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "no_such_column", "min_value": 1},
        "meta": {"level": "row", "why": "test"}}))
    add_good(con, 1)
    report = validate_warehouse(con, replace(settings, expectations_dir=directory), "run-1")
    assert not report.success
    assert any("no_such_column" in f for f in report.suite("extractions").table_failures)


@pytest.mark.parametrize("broken", [
    {"type": "expect_column_values_to_be_between", "kwargs": {"column": "year"},
     "meta": {"why": "no level"}},
    {"type": "expect_column_values_to_be_between", "kwargs": {"column": "year"},
     "meta": {"level": "row"}},
    {"type": "expect_this_does_not_exist", "kwargs": {"column": "year"},
     "meta": {"level": "row", "why": "unknown type"}},
    {"type": "expect_column_values_to_be_between",
     "kwargs": {"column": "year", "min_vale": 1900, "max_value": 2100},
     "meta": {"level": "row", "why": "misspelt kwarg"}},
])
def test_a_suite_gx_would_silently_weaken_is_rejected(con, settings, tmp_path, broken):
    directory = copy_suites(tmp_path)
    edit_suite(directory, "articles", lambda doc: doc["expectations"].append(broken))
    with pytest.raises(SuiteError):
        validate_warehouse(con, replace(settings, expectations_dir=directory), "run-1")
    assert con.execute("SELECT count(*) FROM ops.validation_runs").fetchone()[0] == 0
