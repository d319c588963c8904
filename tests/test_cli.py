"""The `litmine` command as an operator uses it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb
import pytest

from pipeline.config import ENV
from pipeline.mirror.corpus import SAMPLE_CORPUS
from pipeline.mirror.server import MirrorServer

TABLES = ["raw.records", "core.articles", "core.extractions", "core.evidence", "ops.quarantine"]


def litmine(*args, env=None, check=True):
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True,
                            text=True, env=env, timeout=300)
    if check and result.returncode:
        raise AssertionError(f"litmine {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
    return result


@pytest.fixture
def env(settings):
    return dict(os.environ, **{ENV["warehouse"]: str(settings.warehouse)})


def row_counts(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def test_offline_run_twice_second_finds_nothing_new(settings, env):
    first = litmine("run", "--offline", env=env)
    assert "pubmed" in first.stdout and "quarantined: 1 records" in first.stdout
    counts = row_counts(settings.warehouse)
    assert counts["core.articles"] > 15 and counts["core.extractions"] == counts["core.articles"]
    second = litmine("run", "--offline", env=env)
    assert "(nothing new)" in second.stdout
    assert row_counts(settings.warehouse) == counts
    assert (settings.warehouse.parent / "published" / "litmine.duckdb").exists()


def test_backfill_over_loaded_days_adds_nothing(settings, env):
    with MirrorServer(SAMPLE_CORPUS) as mirror:   # one server across nights, as in production
        env = dict(env, **{ENV["pubmed_url"]: f"{mirror.base_url}/entrez/eutils/",
                           ENV["europepmc_url"]: f"{mirror.base_url}/europepmc/webservices/rest/"})
        litmine("run", env=env)
        counts = row_counts(settings.warehouse)
        again = litmine("run", "--since", "2023-01-01", "--until", "2025-12-31", env=env)
    assert row_counts(settings.warehouse) == counts
    assert " 0 " in again.stdout.splitlines()[2]   # new = 0 for the first source


def test_bad_arguments_get_clear_errors(env):
    bad_date = litmine("run", "--since", "yesterday", env=env, check=False)
    assert bad_date.returncode == 2 and "is not a date (YYYY-MM-DD)" in bad_date.stderr
    bad_fault = litmine("mirror", "serve", "--fault", "efetch:explode", env=env, check=False)
    assert bad_fault.returncode == 2 and "unknown fault 'explode'" in bad_fault.stderr
    bad_env = litmine("run", env=dict(env, **{ENV["batch_size"]: "lots"}), check=False)
    assert bad_env.returncode == 2 and "LITMINE_BATCH_SIZE='lots'" in bad_env.stderr
    no_warehouse = litmine("summary", env=dict(env, **{ENV["warehouse"]: "/nonexistent/x.duckdb"}),
                           check=False)
    assert no_warehouse.returncode == 1 and "run `litmine run` first" in no_warehouse.stderr


def test_extract_is_a_pure_jsonl_function(tmp_path):
    records = [
        {"id": "a", "title": "Ultrasound-guided cryoneurolysis of the genicular nerves",
         "abstract": "METHODS: Eighteen patients with knee osteoarthritis were treated."},
        {"id": "b", "title": "Renal tumour cryoablation", "abstract": "We reviewed 40 tumours."},
    ]
    source = tmp_path / "records.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "extractions.jsonl"
    litmine("extract", "--input", str(source), "--output", str(out),
            env=dict(os.environ, **{ENV["pubmed_url"]: "http://127.0.0.1:9/"}))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]
    assert all("evidence" in line and "flags" in line for line in lines)
