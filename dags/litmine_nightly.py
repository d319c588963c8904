"""
### litmine_nightly

Every night: harvest what PubMed and Europe PMC preprints added since the watermark, extract
study design, sample size, targets, guidance, follow-up and outcome from each new record (and
re-read stored records when the extractor's version changed), load
everything into DuckDB, validate it with the Great Expectations suites, and publish the
read-only snapshot analysts query.

The tasks hold no logic: each is one call into `pipeline.nightly`. Harvests only stage files,
so they may run side by side; `load` is the warehouse's single writer.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task
from airflow.sdk.definitions.context import get_current_context

from pipeline import nightly
from pipeline.config import Settings

DEFAULT_ARGS = {
    "owner": "litmine",
    "retries": 3,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(hours=1),
    "execution_timeout": timedelta(hours=2),
}


@dag(
    dag_id="litmine_nightly",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=8),
    default_args=DEFAULT_ARGS,
    tags=["litmine"],
    doc_md=__doc__,
)
def litmine_nightly():
    @task
    def harvest_pubmed() -> list[str]:
        return nightly.harvest_source(Settings.from_env(), "pubmed")

    @task
    def harvest_preprints() -> list[str]:
        return nightly.harvest_source(Settings.from_env(), "europepmc")

    @task
    def stage_reextraction() -> list[str]:
        return nightly.stage_reextraction(Settings.from_env())

    @task
    def stage_fulltext_retries() -> list[str]:
        return nightly.stage_fulltext_retries(Settings.from_env())

    @task(max_active_tis_per_dagrun=2, execution_timeout=timedelta(minutes=30))
    def extract(batch: str) -> int:
        return nightly.extract_batch(batch)

    # none_failed: a quiet night maps extract over no batches (skipped) and must still load.
    @task(trigger_rule="none_failed")
    def load(extracted) -> dict:
        return nightly.load_staged(Settings.from_env(), get_current_context()["run_id"]).sources

    @task
    def validate(loaded) -> int:
        return nightly.validate(Settings.from_env(), get_current_context()["run_id"]).flags_written

    @task
    def publish(validated) -> str:
        return nightly.publish(Settings.from_env())

    batches = harvest_pubmed().concat(harvest_preprints(), stage_reextraction(),
                                      stage_fulltext_retries())
    publish(validate(load(extract.expand(batch=batches))))


litmine_nightly()
