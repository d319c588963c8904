"""The DAGs import cleanly, declare their schedule and retries, and run under Airflow itself."""

from __future__ import annotations

import json
import os
from datetime import timedelta

import duckdb
import pytest

from pipeline.config import ENV, PROJECT_ROOT
from pipeline.demo import run_dag
from pipeline.mirror.corpus import SAMPLE_CORPUS
from pipeline.mirror.server import MirrorServer


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow")))
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(PROJECT_ROOT / "dags"))


def test_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert {"litmine_nightly", "litmine_backfill"} <= set(dagbag.dag_ids)


def test_nightly_schedule_and_retries_are_declared(dagbag):
    dag = dagbag.dags["litmine_nightly"]
    assert dag.schedule == "@daily" or str(dag.timetable.summary) == "@daily"
    assert dag.catchup is False and dag.max_active_runs == 1
    assert set(dag.task_ids) == {"harvest_pubmed", "harvest_preprints", "stage_reextraction",
                                 "stage_fulltext_retries", "group_batches", "extract", "load",
                                 "validate", "publish"}
    for task in dag.tasks:
        assert task.retries >= 3 and task.retry_exponential_backoff
        assert task.execution_timeout and task.execution_timeout <= timedelta(hours=2)
    extract = dag.get_task("extract")
    assert extract.is_mapped if hasattr(extract, "is_mapped") else type(extract).__name__ == "MappedOperator"
    # A failed source must not stop the other's load (nor a quiet night's skipped extract).
    assert dag.get_task("load").trigger_rule == "all_done"
    assert dag.get_task("publish").upstream_task_ids == {"validate"}


def test_operators_get_alerts_an_asset_and_a_single_writer(dagbag):
    from airflow.sdk import Asset, AsyncCallback, DeadlineReference

    from pipeline.notify import FailureEmail, record_task_failure

    for dag_id in ("litmine_nightly", "litmine_backfill"):
        dag = dagbag.dags[dag_id]
        for task in dag.tasks:
            callbacks = task.on_failure_callback
            assert any(isinstance(c, FailureEmail) for c in callbacks) and record_task_failure in callbacks
        writers = [t for t in dag.tasks if t.task_id in ("load", "slice.load", "validate", "publish")]
        assert len(writers) == 3 and {t.pool for t in writers} == {"litmine_warehouse"}
        assert [o.name for o in dag.get_task("publish").outlets if isinstance(o, Asset)] == \
            ["litmine_published_snapshot"]
    (deadline,) = dagbag.dags["litmine_nightly"].deadline
    assert deadline.reference == DeadlineReference.DAGRUN_QUEUED_AT
    assert isinstance(deadline.callback, AsyncCallback) and deadline.interval <= timedelta(hours=8)


def test_dags_use_only_public_airflow_imports_and_do_no_work_at_parse_time():
    import ast

    for path in (PROJECT_ROOT / "dags").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module.startswith("airflow"):
                assert node.module == "airflow.sdk", f"{path.name}: from {node.module} import ..."
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                name = ast.unparse(node.func)
                assert name not in ("date.today", "datetime.now", "datetime.utcnow", "pendulum.now"), \
                    f"{path.name} calls {name}() when the DAG file is parsed"


def test_backfill_takes_query_and_date_range(dagbag):
    dag = dagbag.dags["litmine_backfill"]
    assert dag.schedule is None or dag.timetable.summary in ("None", "")
    assert {"query", "since", "until", "slice_records", "refresh"} <= set(dag.params.keys())
    assert dag.params["until"] is None      # yesterday, worked out when the run starts


def test_backfill_maps_its_slices_over_workers(dagbag):
    dag = dagbag.dags["litmine_backfill"]
    assert set(dag.task_ids) == {"plan", "slice.harvest", "slice.extract", "slice.load",
                                 "validate", "publish"}
    for task_id in ("slice.harvest", "slice.extract", "slice.load"):   # one instance per slice
        assert dag.get_task(task_id).get_closest_mapped_task_group() is not None
    assert dag.get_task("slice.harvest").upstream_task_ids == {"plan"}
    assert dag.get_task("slice.load").upstream_task_ids == {"slice.extract"}
    assert dag.get_task("validate").upstream_task_ids == {"slice.load"}


@pytest.mark.slow
def test_airflow_runs_nightly_then_backfill_against_the_mirror(tmp_path):
    warehouse = tmp_path / "warehouse" / "litmine.duckdb"
    base_env = dict(os.environ, **{ENV["warehouse"]: str(warehouse)})
    log = tmp_path / "airflow.log"
    with MirrorServer(SAMPLE_CORPUS) as mirror:
        nightly = run_dag("litmine_nightly", tmp_path / "airflow", mirror.base_url, log, base_env)
        assert nightly.returncode == 0, log.read_text()[-3000:]
        con = duckdb.connect(str(warehouse.parent / "published" / "litmine.duckdb"), read_only=True)
        articles = con.execute("SELECT count(*) FROM core.articles_current").fetchone()[0]
        quarantined = con.execute("SELECT count(*) FROM ops.quarantine").fetchone()[0]
        extracted = con.execute("SELECT count(*) FROM core.extractions_latest").fetchone()[0]
        con.close()
        assert articles == extracted == len(list((SAMPLE_CORPUS / "pubmed").glob("*.xml"))) - 1 + \
            len(list((SAMPLE_CORPUS / "europepmc").glob("*.json")))
        assert quarantined == 1   # the sample's record with neither title nor abstract
        assert (warehouse.parent / "docs" / "index.html").exists()

        # Slices of at most 5 records, mapped over; refresh: harvest the loaded range again.
        conf = json.dumps({"since": "2023-01-01", "until": "2025-12-31", "slice_records": 5,
                           "refresh": True})
        env = dict(base_env)
        backfill = run_dag("litmine_backfill", tmp_path / "airflow", mirror.base_url, log,
                           env, extra_args=["--conf", conf])
        assert backfill.returncode == 0, log.read_text()[-3000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    runs = con.execute("""SELECT source, new, unchanged FROM ops.runs WHERE run_id LIKE 'manual__%'
                          ORDER BY started_at DESC, source LIMIT 2""").fetchall()
    total = con.execute("SELECT count(*), count(DISTINCT article_id) FROM core.articles").fetchone()
    slices = con.execute("""SELECT count(*) FROM ops.loaded_windows
                            WHERE run_id = (SELECT max(run_id) FROM ops.runs)""").fetchone()[0]
    con.close()
    assert [r[1] for r in runs] == [0, 0] and sum(r[2] for r in runs) == articles
    assert total == (articles, articles)
    assert slices > 3
