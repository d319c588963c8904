"""
### litmine_backfill

Harvest an explicit date range (entrez date for PubMed, first index date for preprints), for
the default topic or another query, then extract, load, validate and publish like the nightly
run. Trigger it with params, e.g. `{"since": "2020-01-01", "until": "2020-12-31"}`.

`plan` cuts the range into slices of at most `slice_records` records by each source's own count
(`pipeline.backfill`); the `slice` task group is mapped over them, so workers harvest and extract
slices side by side while `load` (one slot in the `litmine_warehouse` pool, DuckDB's single
writer) loads each slice in its own transaction. The watermark moves over loaded slices only
while they join on to what is already loaded: a failed slice holds it back, and triggering the
same range again harvests only the slices not loaded yet (`refresh` harvests them all again).

Heavy modules (DuckDB, the HTTP clients, the extractor) are imported inside the tasks, so the
dag processor parses this file without them.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, Param, dag, get_current_context, task, task_group

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


def _settings() -> Settings:
    from dataclasses import replace

    params = get_current_context()["params"]
    settings = Settings.from_env().with_query(params["query"])
    if params.get("slice_records"):
        settings = replace(settings, slice_records=int(params["slice_records"]))
    return settings


def _slice(part: dict):
    from pipeline.sources.slices import Slice

    return Slice.from_dict(part)


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
        "slice_records": Param(None, type=["null", "integer"], minimum=1,
                               description="Largest slice in records; empty for LITMINE_SLICE_RECORDS."),
        "refresh": Param(False, type="boolean",
                         description="Harvest slices loaded before again (records revised since)."),
    },
    tags=["litmine"],
    doc_md=__doc__,
)
def litmine_backfill():
    @task
    def plan() -> list[dict]:
        from datetime import date

        from pipeline import backfill

        params = get_current_context()["params"]
        until = date.fromisoformat(params["until"]) if params.get("until") else None
        return [s.to_dict() for s in backfill.plan_all(
            _settings(), date.fromisoformat(params["since"]), until, bool(params.get("refresh")))]

    @task_group(group_id="slice")
    def backfill_slice(part: dict):
        @task(max_active_tis_per_dagrun=4)
        def harvest(part: dict) -> dict:
            from pipeline import backfill

            backfill.harvest_slice(_settings(), _slice(part))
            return part

        @task(max_active_tis_per_dagrun=2, execution_timeout=timedelta(hours=1))
        def extract(part: dict) -> dict:
            from pipeline import backfill

            backfill.extract_slice(_settings(), _slice(part))
            return part

        @task(pool=WAREHOUSE_POOL)
        def load(part: dict) -> dict:
            from pipeline import backfill

            return backfill.load_slice(_settings(), _slice(part), get_current_context()["run_id"],
                                       strict=True).sources

        return load(extract(harvest(part)))

    # none_failed: a range with nothing to harvest (no slices) still validates and publishes.
    @task(pool=WAREHOUSE_POOL, trigger_rule="none_failed")
    def validate() -> int:
        from pipeline import nightly

        return nightly.validate(_settings(), get_current_context()["run_id"]).flags_written

    @task(pool=WAREHOUSE_POOL, outlets=[PUBLISHED])
    def publish(validated) -> str:
        from pipeline import nightly

        return nightly.publish(Settings.from_env())

    checked = validate()
    backfill_slice.expand(part=plan()) >> checked
    publish(checked)


litmine_backfill()
