"""Incremental validation: a night checks the rows it added or changed, the whole table's keys
and counts in SQL, and everything again when asked or when a suite changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from pipeline.validate import validate_warehouse
from pipeline.validate import flags as flag_module
from tests.validate.test_validate import (
    add_article,
    add_extraction,
    add_good,
    copy_suites,
    edit_suite,
    flagged,
)
from pipeline.warehouse.db import connect


@pytest.fixture
def settings(tmp_path):
    from pipeline.config import Settings
    return Settings(warehouse=tmp_path / "w.duckdb", docs_dir=tmp_path / "docs")


@pytest.fixture
def con(settings):
    con = connect(settings)
    yield con
    con.close()


def checked(report) -> dict[str, tuple[str, int, int]]:
    """suite -> (mode, rows the row-level expectations saw, rows in the table)."""
    return {s.name: (s.mode, s.evaluated, s.table_rows) for s in report.suites}


def runs(con, run_id: str) -> dict[str, tuple]:
    return {suite: (mode, evaluated, table_rows) for suite, mode, evaluated, table_rows in
            con.execute("""SELECT suite, mode, evaluated, table_rows FROM ops.validation_runs
                           WHERE run_id = ?""", [run_id]).fetchall()}


def curate(con, article_id: str, field: str, value: str) -> None:
    con.execute("""INSERT INTO core.curation (curation_id, article_id, field, action, new_value,
                       curator, reason, curated_at)
                   VALUES (?, ?, ?, 'correct', ?, 'ana', 'checked the paper', ?)""",
                [f"c-{article_id}-{field}", article_id, field, value,
                 datetime(2020, 1, 1, tzinfo=timezone.utc)])


def test_a_night_that_adds_three_rows_validates_exactly_those(con, settings):
    add_good(con, 20)
    first = validate_warehouse(con, settings, "night-1")
    assert checked(first) == {"articles": ("full", 20, 20), "extractions": ("full", 20, 20)}

    add_good(con, 3, prefix="new:")
    add_article(con, "new:bad")
    add_extraction(con, "new:bad", sample_size=0)
    second = validate_warehouse(con, settings, "night-2")

    assert runs(con, "night-2") == {"articles": ("incremental", 4, 24),
                                    "extractions": ("incremental", 4, 24)}
    assert flagged(con) == {("new:bad", "expect_column_values_to_be_between", "sample_size")}
    assert second.flags_written == 1

    quiet = validate_warehouse(con, settings, "night-3")
    assert checked(quiet) == {"articles": ("incremental", 0, 24),
                              "extractions": ("incremental", 0, 24)}
    assert quiet.success and quiet.flags_written == 0


def test_a_re_extraction_of_an_old_article_is_validated_and_flagged(con, settings):
    add_good(con, 5)
    validate_warehouse(con, settings, "night-1")
    # A newer extractor reads an implausible follow-up from an article loaded long ago.
    con.execute("""INSERT INTO core.extractions (article_id, article_version, extractor_version,
                       relevant, design, sample_size, follow_up_days, outcome_direction, run_id,
                       extracted_at)
                   VALUES ('pmid:2', 1, 'x2', true, 'rct', 40, 9000, 'improved', 'reextract',
                           now())""")
    report = validate_warehouse(con, settings, "night-2")
    assert checked(report)["extractions"] == ("incremental", 1, 5)
    assert flagged(con) == {("pmid:2", "expect_column_values_to_be_between", "follow_up_days")}


def test_a_curator_edit_to_an_old_row_gets_it_validated_again(con, settings):
    add_good(con, 5)
    validate_warehouse(con, settings, "night-1")
    # Saved with the time the curator made it, before the last validation (a queued save).
    curate(con, "pmid:3", "design", '"case_series"')
    report = validate_warehouse(con, settings, "night-2")
    assert checked(report) == {"articles": ("incremental", 1, 5),
                               "extractions": ("incremental", 1, 5)}
    assert checked(validate_warehouse(con, settings, "night-3"))["articles"][1] == 0


def test_a_duplicate_key_on_an_old_article_still_fails_the_night(con, settings):
    add_good(con, 10)
    assert validate_warehouse(con, settings, "night-1").success
    # A broken load makes a second current row for a work validated years ago.
    add_article(con, "pmid:4", version=2)
    report = validate_warehouse(con, settings, "night-2")
    assert not report.success
    failures = report.suite("articles").table_failures
    assert any(f.startswith("expect_column_values_to_be_unique(article_id)") and "pmid:4" in f
               for f in failures), failures
    assert report.suite("articles").table_rows == 11
    assert report.suite("extractions").success
    # The SQL check looks at the whole table every night: still failing the next night.
    assert not validate_warehouse(con, settings, "night-3").success


def test_validate_all_checks_every_row_again(con, settings):
    add_good(con, 7)
    validate_warehouse(con, settings, "night-1")
    assert checked(validate_warehouse(con, settings, "night-2"))["articles"][1] == 0
    report = validate_warehouse(con, settings, "by-hand", all_rows=True)
    assert checked(report) == {"articles": ("full", 7, 7), "extractions": ("full", 7, 7)}


def test_a_changed_suite_file_triggers_a_full_pass_of_that_suite(con, settings, tmp_path):
    directory = copy_suites(tmp_path)
    settings = replace(settings, expectations_dir=directory)
    add_good(con, 6)
    add_article(con, "pmid:hundred")
    add_extraction(con, "pmid:hundred", sample_size=100)
    validate_warehouse(con, settings, "night-1")
    assert flagged(con) == set()

    def stricter(doc):     # a new suite version: at most 50 patients
        for exp in doc["expectations"]:
            if exp["kwargs"].get("column") == "sample_size":
                exp["kwargs"]["max_value"] = 50
    edit_suite(directory, "extractions", stricter)
    report = validate_warehouse(con, settings, "night-2")

    assert checked(report) == {"articles": ("incremental", 0, 7), "extractions": ("full", 7, 7)}
    # The old row the new version rejects is flagged although nothing about it changed.
    assert flagged(con) == {("pmid:hundred", "expect_column_values_to_be_between", "sample_size")}
    assert checked(validate_warehouse(con, settings, "night-3"))["extractions"][:2] == \
        ("incremental", 0)


def test_rows_an_expectation_could_not_judge_are_checked_again(con, settings, tmp_path):
    directory = copy_suites(tmp_path)
    edit_suite(directory, "extractions", lambda doc: doc["expectations"].append({
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "no_such_column", "min_value": 1},
        "meta": {"level": "row", "why": "test"}}))
    settings = replace(settings, expectations_dir=directory)
    add_good(con, 3)
    assert not validate_warehouse(con, settings, "night-1").success
    again = validate_warehouse(con, settings, "night-2")
    assert not again.success          # not forgotten because the rows were seen once
    assert checked(again)["extractions"] == ("full", 3, 3)


def test_a_validation_killed_before_its_commit_leaves_the_rows_pending(con, settings,
                                                                         monkeypatch):
    add_good(con, 4)
    validate_warehouse(con, settings, "night-1")
    add_good(con, 2, prefix="new:")

    def killed(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr("pipeline.validate.run.write_flags", killed)
    with pytest.raises(KeyboardInterrupt):
        validate_warehouse(con, settings, "night-2")
    monkeypatch.setattr("pipeline.validate.run.write_flags", flag_module.write_flags)

    report = validate_warehouse(con, settings, "night-2")
    assert checked(report) == {"articles": ("incremental", 2, 6),
                               "extractions": ("incremental", 2, 6)}


def test_litmine_validate_says_what_it_checked_and_all_checks_everything(con, settings):
    import os
    import subprocess
    import sys

    from pipeline.config import ENV

    add_good(con, 3)
    validate_warehouse(con, settings, "night-1")
    con.close()
    env = dict(os.environ, **{ENV["warehouse"]: str(settings.warehouse)})

    def litmine(*args):
        done = subprocess.run([sys.executable, "-m", "pipeline.cli", "validate", *args],
                              capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "articles: 0 of 3 rows (incremental)" in litmine()
    assert "articles: 3 of 3 rows (full)" in litmine("--all")


QUIET_NIGHT = """
import json, sys
from pipeline.config import Settings
from pipeline.validate import validate_warehouse
from pipeline.warehouse.db import connect
settings = Settings(warehouse=sys.argv[1], docs_dir=sys.argv[2])
con = connect(settings)
report = validate_warehouse(con, settings, sys.argv[3])
print(json.dumps({"gx": "great_expectations" in sys.modules,
                  "checked": {s.name: s.evaluated for s in report.suites}}))
"""


def night_in_a_fresh_process(settings, run_id: str) -> dict:
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", QUIET_NIGHT, str(settings.warehouse),
                           str(settings.docs_dir), run_id], capture_output=True, text=True,
                          cwd=root, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_great_expectations_is_imported_only_on_a_night_with_rows_to_check(con, settings):
    """GX is imported early, beside DuckDB's queries, when the night loaded records; a quiet
    night still never imports it, and a night GX was not guessed for still gets its rows
    checked."""
    add_good(con, 5)
    validate_warehouse(con, settings, "night-1")
    con.execute("""INSERT INTO ops.runs (run_id, source, status, new) VALUES
                   ('night-2', 'pubmed', 'succeeded', 0), ('night-3', 'pubmed', 'succeeded', 2)""")
    con.close()
    assert night_in_a_fresh_process(settings, "night-2") == {
        "gx": False, "checked": {"articles": 0, "extractions": 0}}

    con = connect(settings)
    add_good(con, 2, prefix="new:")
    con.close()
    assert night_in_a_fresh_process(settings, "night-3") == {
        "gx": True, "checked": {"articles": 2, "extractions": 2}}
    con = connect(settings)
    add_good(con, 1, prefix="unannounced:")          # loaded by no run the guess looks at
    con.close()
    assert night_in_a_fresh_process(settings, "night-4") == {
        "gx": True, "checked": {"articles": 1, "extractions": 1}}
