"""A run that cannot go on says why, exits, and leaves a record of it: in `ops.runs`, or beside
the warehouse when the warehouse itself is what it could not open."""

from __future__ import annotations

import json
import os

import duckdb
import pytest

from pipeline.config import ENV
from pipeline.runlog import failures_path, run_lock
from tests.test_cli import litmine


@pytest.fixture
def env(settings):
    return dict(os.environ, **{ENV["warehouse"]: str(settings.warehouse),
                               ENV["warehouse_busy_wait"]: "1"})


def failed_runs(settings):
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        return con.execute("""SELECT run_id, status, error FROM ops.runs WHERE source = 'run'
                              ORDER BY started_at""").fetchall()
    finally:
        con.close()


def test_a_second_run_says_so_and_exits(settings, env):
    with run_lock(settings):   # a first `litmine run` is working
        second = litmine("run", "--offline", env=env, check=False)
    assert second.returncode == 1
    assert "another litmine run is working on" in second.stderr and f"pid {os.getpid()}" in second.stderr
    assert "Traceback" not in second.stderr
    assert not settings.staging_dir.exists()            # it touched nothing
    ((_, status, error),) = failed_runs(settings)
    assert status == "failed" and "another litmine run" in error


def test_a_warehouse_held_open_elsewhere_is_a_clear_error_recorded_durably(settings, env):
    settings.warehouse.parent.mkdir(parents=True)
    analyst = duckdb.connect(str(settings.warehouse))   # e.g. an analyst opened the wrong file
    try:
        blocked = litmine("run", "--offline", env=env, check=False)
    finally:
        analyst.close()
    assert blocked.returncode == 1 and "Traceback" not in blocked.stderr
    assert f"is open in process {os.getpid()}" in blocked.stderr
    recorded = [json.loads(line) for line in failures_path(settings).read_text().splitlines()]
    assert [r["stage"] for r in recorded] == ["harvest"] and "is open in" in recorded[0]["reason"]

    litmine("run", "--offline", env=env)                # the file is free again
    assert not failures_path(settings).exists()
    ((_, status, error),) = failed_runs(settings)
    assert status == "failed" and error.startswith("harvest: the warehouse") 


def test_a_reader_that_lets_go_soon_does_not_fail_the_night(settings, env):
    import subprocess
    import sys

    litmine("run", "--offline", env=env)
    # Another process holds the file for 2 s (a page view, an analyst's quick query).
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; "
                               "con = duckdb.connect(sys.argv[1]); print('held', flush=True); "
                               "time.sleep(2); con.close()", str(settings.warehouse)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    second = litmine("run", "--offline", env={**env, ENV["warehouse_busy_wait"]: "20"}, check=False)
    holder.wait(30)
    assert second.returncode == 0, second.stderr
    assert failed_runs(settings) == []


def test_an_unexpected_failure_leaves_a_row_with_the_reason(settings, env):
    litmine("run", "--offline", env=env)
    broken = settings.staging_dir / "pubmed" / "0" / "2024-01-01_2024-01-02"
    broken.mkdir(parents=True)
    (broken / "manifest.json").write_text("{not json")   # a hand-edited staging file
    result = litmine("run", "--offline", env=env, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    ((_, status, error),) = failed_runs(settings)
    assert status == "failed" and "Expecting property name" in error


def test_other_commands_report_a_busy_warehouse_in_one_line(settings, env):
    settings.warehouse.parent.mkdir(parents=True)
    analyst = duckdb.connect(str(settings.warehouse))
    try:
        for command in (["load"], ["validate"], ["summary"]):
            result = litmine(*command, env=env, check=False)
            assert result.returncode == 1 and "Traceback" not in result.stderr, command
            assert "is open in process" in result.stderr
    finally:
        analyst.close()
