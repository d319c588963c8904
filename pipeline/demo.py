"""`make demo`: the nightly DAG, run by Airflow itself, against the offline mirror.

Starts the mirror on a free 127.0.0.1 port with the bundled sample corpus, points a local
AIRFLOW_HOME (SQLite metadata) at `dags/`, runs `airflow dags test litmine_nightly` (the same
task code production runs), stops the mirror and prints what the run did. Airflow's own log
goes to `.airflow/demo.log`; the screen gets the summary.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from pipeline.config import ENV, PROJECT_ROOT, Settings
from pipeline.mirror.corpus import SAMPLE_CORPUS
from pipeline.mirror.server import MirrorServer


def airflow_env(airflow_home: Path, mirror_url: str, base: dict | None = None) -> dict:
    env = dict(os.environ if base is None else base)
    env.update({
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        # `airflow dags test` (3.3.2) fails a run whose DAG has a deadline alert; see config.py.
        ENV["deadline_hours"]: "0",
        ENV["pubmed_url"]: f"{mirror_url}/entrez/eutils/",
        ENV["europepmc_url"]: f"{mirror_url}/europepmc/webservices/rest/",
    })
    return env


def run_dag(dag_id: str, airflow_home: Path, mirror_url: str, log_path: Path,
            base_env: dict | None = None, extra_args: list[str] = ()) -> subprocess.CompletedProcess:
    """`airflow db migrate`, the warehouse pool, then `airflow dags test DAG`; output appended to
    log_path."""
    env = airflow_env(airflow_home, mirror_url, base_env)
    airflow = str(Path(sys.executable).with_name("airflow"))
    airflow_home.mkdir(parents=True, exist_ok=True)
    with log_path.open("a") as log:
        migrate = subprocess.run([airflow, "db", "migrate"], env=env, stdout=log,
                                 stderr=subprocess.STDOUT)
        if migrate.returncode:
            return migrate
        # The warehouse writers (load, validate, publish) share a one-slot pool.
        pool = subprocess.run([airflow, "pools", "set", "litmine_warehouse", "1",
                               "DuckDB's single writer"], env=env, stdout=log, stderr=subprocess.STDOUT)
        if pool.returncode:
            return pool
        return subprocess.run([airflow, "dags", "test", dag_id, *extra_args], env=env, stdout=log,
                              stderr=subprocess.STDOUT)


def main() -> int:
    settings = Settings.from_env()
    airflow_home = PROJECT_ROOT / ".airflow"
    log_path = airflow_home / "demo.log"
    airflow_home.mkdir(parents=True, exist_ok=True)
    log_path.write_text("")
    started = time.monotonic()
    with MirrorServer(SAMPLE_CORPUS) as mirror:
        print(f"mirror: {SAMPLE_CORPUS.relative_to(PROJECT_ROOT)} served at {mirror.base_url}")
        print("airflow: dags test litmine_nightly (log: .airflow/demo.log) ...", flush=True)
        result = run_dag("litmine_nightly", airflow_home, mirror.base_url, log_path)
    elapsed = time.monotonic() - started
    if result.returncode:  # `dags test` exits non-zero when the DAG run fails
        print(f"the nightly DAG failed after {elapsed:.0f}s; last lines of .airflow/demo.log:",
              file=sys.stderr)
        print("\n".join(log_path.read_text(errors="replace").splitlines()[-30:]), file=sys.stderr)
        return 1
    from pipeline.summary import summarize
    from pipeline.warehouse import db

    from pipeline.warehouse.fulltext import fulltext_summary

    con = db.connect(settings, read_only=True)
    try:
        print(summarize(con, settings).text())
        print("\n".join(fulltext_summary(con)))
    finally:
        con.close()
    snapshot = settings.published.relative_to(PROJECT_ROOT)
    print(f"demo finished in {elapsed:.0f}s. Query it with the DuckDB CLI the set-up installed:\n"
          f"  .venv/bin/duckdb -readonly {snapshot} "
          f"-c \"SELECT study, design, patients, outcome FROM marts.evidence_table\"\n"
          f"or `source .venv/bin/activate` first to have `litmine` and `duckdb` on your PATH.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
