"""The published snapshot opens in DuckDB 1.x readers: the DuckDB CLI the set-up installs, and
the oldest release the README promises (DuckDB 1.0, in a separate small venv).

Every mart is queried through the old reader and must return what the writer's DuckDB returns.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.warehouse import db
from pipeline.warehouse.publish import publish_snapshot
from tests.marts.warehouse import add_run, add_study, add_validation_flag, at, curate

VENV_BIN = Path(sys.executable).parent
OLDEST = "1.0.0"    # README, "For analysts": the oldest DuckDB that opens the snapshot

COUNT_ALL = """
import duckdb, json, sys
con = duckdb.connect(sys.argv[1], read_only=True)
marts = [n for (n,) in con.execute("SELECT view_name FROM duckdb_views() "
                                   "WHERE schema_name = 'marts' ORDER BY 1").fetchall()]
out = {"version": duckdb.__version__}
for name in marts:
    # Every column of every row, as JSON text: no Python conversions (pytz) in the way.
    out[name] = [r for (r,) in con.execute(f"SELECT to_json(m)::VARCHAR FROM marts.{name} AS m").fetchall()]
print(json.dumps(out))
"""


@pytest.fixture
def snapshot(settings):
    con = db.connect(settings)
    add_run(con, "run-1", at(1))
    add_study(con, "pmid:1", first_author="Ilfeld B", year=2023, responder_pct=62.0,
              responder_threshold_pct=50.0, flags=[("design", "low confidence 0.41 < 0.60")])
    add_study(con, "pmid:2", design="systematic_review", sample_size=None)
    add_study(con, "pmid:3", relevant=False)
    curate(con, "pmid:1", "sample_size", 20, at(0.5))
    add_validation_flag(con, "pmid:2", "follow_up_days", "follow_up_days 9125 is outside 1..7305")
    publish_snapshot(con, settings.warehouse, settings.published)
    expected = {}
    marts = [n for (n,) in con.execute("SELECT view_name FROM duckdb_views() "
                                       "WHERE schema_name = 'marts' ORDER BY 1").fetchall()]
    for name in marts:
        expected[name] = con.execute(f"SELECT count(*) FROM marts.{name}").fetchone()[0]
    con.close()
    assert sum(expected.values()) > 0
    return settings.published, expected


def test_the_duckdb_cli_opens_the_snapshot_and_queries_every_mart(snapshot):
    cli = VENV_BIN / "duckdb"
    if not cli.exists():
        cli = shutil.which("duckdb")
    assert cli, "the set-up installs the DuckDB CLI into the venv (duckdb-cli in pyproject.toml)"
    path, expected = snapshot
    version = subprocess.run([str(cli), "-version"], capture_output=True, text=True, timeout=60)
    assert version.stdout.startswith("v1."), version.stdout
    sql = " UNION ALL ".join(f"SELECT '{name}' AS mart, count(*) AS n FROM marts.{name}"
                             for name in expected)
    done = subprocess.run([str(cli), "-readonly", "-json", str(path), "-c", sql],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert {r["mart"]: r["n"] for r in json.loads(done.stdout)} == expected


@pytest.fixture(scope="session")
def oldest_duckdb(tmp_path_factory):
    """A Python with the oldest supported DuckDB, in its own venv (needs the package registry)."""
    uv = VENV_BIN / "uv"
    venv = tmp_path_factory.mktemp("duckdb-oldest") / "venv"
    try:
        subprocess.run([str(uv), "venv", "-q", "-p", sys.executable, str(venv)], check=True,
                       capture_output=True, timeout=120)
        subprocess.run([str(uv), "pip", "install", "-q", "-p", str(venv / "bin" / "python"),
                        f"duckdb=={OLDEST}"], check=True, capture_output=True, timeout=300)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot install duckdb=={OLDEST} into a venv (offline?): {exc}")
    return venv / "bin" / "python"


def test_the_oldest_supported_duckdb_reads_every_mart(snapshot, oldest_duckdb):
    path, expected = snapshot
    done = subprocess.run([str(oldest_duckdb), "-c", COUNT_ALL, str(path)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found.pop("version") == OLDEST
    assert {name: len(rows) for name, rows in found.items()} == expected
    assert "Ilfeld B 2023" in {json.loads(r)["study"] for r in found["evidence_table"]}


def test_the_oldest_duckdb_reads_a_snapshot_updated_in_place(snapshot, oldest_duckdb, settings):
    """The next night's snapshot starts as a copy of this one and is changed row by row: it
    must keep the old storage format, not take the writer's."""
    path, expected = snapshot
    con = db.connect(settings)
    add_run(con, "run-2", at(30))
    add_study(con, "pmid:4", "run-2", at(29), first_author="Moss K", year=2022)
    publish_snapshot(con, settings.warehouse, settings.published)
    evidence = con.execute("SELECT count(*) FROM marts.evidence_table").fetchone()[0]
    con.close()
    done = subprocess.run([str(oldest_duckdb), "-c", COUNT_ALL, str(path)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert len(found["evidence_table"]) == evidence == expected["evidence_table"] + 1
    assert "Moss K 2022" in {json.loads(r)["study"] for r in found["evidence_table"]}
