"""
### litmine_backfill

Harvest an explicit date range (entrez date for PubMed, first index date for preprints), for
the default topic or another query, then extract, load, validate and publish like the nightly
run. Trigger it with params, e.g. `{"since": "2020-01-01", "until": "2020-12-31"}`. The
watermark moves only when the range joins on to what is already loaded.
"""

from __future__ import annotations

from datetime import date, timedelta

import pendulum
from airflow.sdk import Asset, Param, dag, get_current_context, task

from pipeline import nightly
from pipeline.config import DEFAULT_QUERY, Settings
from pipeline.notify import FailureEmail, record_task_failure

DEFAULT_ARGS = {
    "owner": "litmine",
    "retries": 3,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(hours=1),
    "execution_timeout": timedelta(hours=6),
    "on_failure_callback": [FailureEmail(), record_task_failure],
}
WAREHOUSE_POOL = "litmine_warehouse"
# The same Asset the nightly DAG's publish emits: consumers see every new snapshot.
PUBLISHED = Asset(name="litmine_published_snapshot", uri="file:///litmine/published/litmine.duckdb")


def _settings(params: dict) -> Settings:
    return Settings.from_env().with_query(params["query"])


def _window(params: dict) -> tuple[date, date]:
    """The range asked for; `until` left empty means yesterday, as of the run, not the parse."""
    until = date.fromisoformat(params["until"]) if params.get("until") else nightly.yesterday()
    return date.fromisoformat(params["since"]), until


@dag(
    dag_id="litmine_backfill",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={
        "query": Param(DEFAULT_QUERY, type="string", minLength=1),
        "since": Param("2000-01-01", type="string", format="date"),
        "until": Param(None, type=["null", "string"], format="date",
                       description="Last day; empty for yesterday (UTC) at run time."),
    },
    tags=["litmine"],
    doc_md=__doc__,
)
def litmine_backfill():
    @task
    def harvest_pubmed() -> list[str]:
        params = get_current_context()["params"]
        return nightly.harvest_source(_settings(params), "pubmed", *_window(params))

    @task
    def harvest_preprints() -> list[str]:
        params = get_current_context()["params"]
        return nightly.harvest_source(_settings(params), "europepmc", *_window(params))

    @task(max_active_tis_per_dagrun=2, execution_timeout=timedelta(minutes=30))
    def extract(batch: str) -> int:
        return nightly.extract_batch(batch)

    @task(trigger_rule="all_done", pool=WAREHOUSE_POOL)
    def load(extracted) -> dict:
        context = get_current_context()
        return nightly.extract_and_load(_settings(context["params"]), context["run_id"]).sources

    @task(pool=WAREHOUSE_POOL)
    def validate(loaded) -> int:
        context = get_current_context()
        return nightly.validate(_settings(context["params"]), context["run_id"]).flags_written

    @task(pool=WAREHOUSE_POOL, outlets=[PUBLISHED])
    def publish(validated) -> str:
        return nightly.publish(Settings.from_env())

    batches = harvest_pubmed().concat(harvest_preprints())
    publish(validate(load(extract.expand(batch=batches))))


litmine_backfill()
