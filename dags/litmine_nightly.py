"""
### litmine_nightly

Every night: harvest what PubMed and Europe PMC preprints added since the watermark, extract
study design, sample size, targets, guidance, follow-up and outcome from each new record (and
re-read stored records when the extractor's version changed), load
everything into DuckDB, validate it with the Great Expectations suites, and publish the
read-only snapshot analysts query.

The tasks hold no logic: each is one call into `pipeline.nightly`. Harvests only stage files,
so they may run side by side; `load`, `validate` and `publish` write the warehouse and share the
one-slot `litmine_warehouse` pool, DuckDB's single writer. A source that is down fails its
harvest task, which Airflow retries; `load` still runs (trigger rule `all_done`) and loads the
other source, recording the failed one in `ops.runs`, and publish emits the
`litmine_published_snapshot` Asset. Failures email the operators (`pipeline.notify`), and a
deadline alert fires when a run has not finished `LITMINE_DEADLINE_HOURS` (8) hours after it
was queued. `pipeline.nightly` (DuckDB, the HTTP clients) is imported inside the tasks, so the
dag processor parses this file without it.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import (Asset, AsyncCallback, DeadlineAlert, DeadlineReference, dag,
                         get_current_context, task)

from pipeline.config import Settings
from pipeline.notify import FailureEmail, deadline_missed, record_task_failure

WAREHOUSE_POOL = "litmine_warehouse"
PUBLISHED = Asset(name="litmine_published_snapshot", uri="file:///litmine/published/litmine.duckdb")
DEADLINE_HOURS = Settings.from_env().deadline_hours   # 0: no deadline alert (see pipeline.config)
# extract tasks at a time in one run: 1 uses every core of one worker; raise it with more workers
EXTRACT_TASKS = Settings.from_env().extract_tasks

DEFAULT_ARGS = {
    "owner": "litmine",
    "retries": 3,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(hours=1),
    "execution_timeout": timedelta(hours=2),
    "on_failure_callback": [FailureEmail(), record_task_failure],
}


@dag(
    dag_id="litmine_nightly",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=12),
    deadline=DeadlineAlert(reference=DeadlineReference.DAGRUN_QUEUED_AT,
                           interval=timedelta(hours=DEADLINE_HOURS),
                           callback=AsyncCallback(deadline_missed, kwargs={
                               "dag_id": "litmine_nightly", "hours": DEADLINE_HOURS}))
    if DEADLINE_HOURS else None,
    default_args=DEFAULT_ARGS,
    tags=["litmine"],
    doc_md=__doc__,
)
def litmine_nightly():
    @task
    def harvest_pubmed() -> list[str]:
        from pipeline import nightly

        return nightly.harvest_source(Settings.from_env(), "pubmed")

    @task
    def harvest_preprints() -> list[str]:
        from pipeline import nightly

        return nightly.harvest_source(Settings.from_env(), "europepmc")

    @task
    def stage_reextraction() -> list[str]:
        from pipeline import nightly

        return nightly.stage_reextraction(Settings.from_env())

    @task
    def stage_fulltext_retries() -> list[str]:
        from pipeline import nightly

        return nightly.stage_fulltext_retries(Settings.from_env())

    @task
    def group_batches(batches) -> list[list[str]]:
        from pipeline import nightly

        return nightly.extraction_groups(batches)

    # One task per group of ~2,000 records, each on every core of its worker (a process pool
    # whose workers build the extractor once); more at a time only with more workers.
    @task(max_active_tis_per_dagrun=EXTRACT_TASKS, execution_timeout=timedelta(hours=1))
    def extract(batches: list[str]) -> int:
        from pipeline import nightly

        return nightly.extract_batches(batches, Settings.from_env().extractor_config)

    # all_done: a failed source (or a quiet night's skipped extract) must not stop the load of
    # what the other source staged; batches left unextracted are extracted here first.
    @task(trigger_rule="all_done", pool=WAREHOUSE_POOL)
    def load(extracted) -> dict:
        from pipeline import nightly

        return nightly.extract_and_load(Settings.from_env(), get_current_context()["run_id"]).sources

    @task(pool=WAREHOUSE_POOL)
    def validate(loaded) -> int:
        from pipeline import nightly

        return nightly.validate(Settings.from_env(), get_current_context()["run_id"]).flags_written

    @task(pool=WAREHOUSE_POOL, outlets=[PUBLISHED])
    def publish(validated) -> str:
        from pipeline import nightly

        return nightly.publish(Settings.from_env())

    batches = harvest_pubmed().concat(harvest_preprints(), stage_reextraction(),
                                      stage_fulltext_retries())
    publish(validate(load(extract.expand(batches=group_batches(batches)))))


litmine_nightly()
