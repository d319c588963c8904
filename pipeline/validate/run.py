"""The validation stage: run the suites over the warehouse, flag bad rows, judge the night.

What: `validate_warehouse(con, settings, run_id)` loads every suite of `suites.SUITES` from
`settings.expectations_dir`, builds its frame from DuckDB, validates it with Great Expectations
1.x in an ephemeral context, writes Data Docs under `settings.docs_dir`, one `ops.flags` row per
record failing a row-level expectation and one `ops.validation_runs` row per suite, and returns
a `ValidationReport`. `raise_for_table_failures(report)` turns a failed report into
`ValidationFailed` for the CLI and the DAG.

Why: EXTRACTION_SPEC.md sends implausible values (a sample size of 0, a follow-up over 20 years)
to curators rather than failing the night, while a broken table (a duplicate key, a missing
column) must stop publication. Each expectation says which it is in `meta.level`. An expectation
GX could not evaluate, or a row-level failure whose records GX could not name, is escalated to a
table-level failure: nothing fails silently. Everything is keyed so that a rerun is a no-op:
flags by content hash, validation_runs by (run_id, suite).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb

from pipeline.config import Settings
from pipeline.validate.gx_context import ephemeral_context  # sets GX_ANALYTICS_ENABLED first
from pipeline.validate.docs_offline import make_offline
from pipeline.validate.flags import Flag, flags_for, write_flags
from pipeline.validate.results import Outcome, read_result
from pipeline.validate.review_tables import review_table_flags
from pipeline.validate.suites import SUITES, SuiteSpec, load_suite, suite_parameters
from pipeline.warehouse.db import transaction


@dataclass(frozen=True)
class SuiteReport:
    name: str
    evaluated: int                       # rows in the validated frame
    failed_expectations: tuple[str, ...]  # labels, "expectation(column)", row- and table-level
    table_failures: tuple[str, ...]       # the labels among them that fail the run
    flags: int = 0                        # failing records found (new or already flagged)

    @property
    def success(self) -> bool:
        return not self.table_failures


@dataclass(frozen=True)
class ValidationReport:
    success: bool                        # False iff some table-level expectation failed
    suites: tuple[SuiteReport, ...]
    flags_written: int                   # ops.flags rows this run inserted (0 on a rerun)
    docs_index: Path                     # the Data Docs index.html under settings.docs_dir

    def suite(self, name: str) -> SuiteReport:
        for report in self.suites:
            if report.name == name:
                return report
        raise KeyError(name)


class ValidationFailed(RuntimeError):
    """Some table-level expectation failed: the warehouse must not be published."""

    def __init__(self, report: ValidationReport):
        self.report = report
        failed = "; ".join(f"{s.name}: {', '.join(s.table_failures)}"
                           for s in report.suites if s.table_failures)
        super().__init__(f"validation failed on table-level expectations: {failed} "
                         f"(Data Docs: {report.docs_index})")


def raise_for_table_failures(report: ValidationReport) -> None:
    if not report.success:
        raise ValidationFailed(report)


def _result_format(spec: SuiteSpec) -> dict:
    # COMPLETE + unexpected_index_column_names makes GX list every failing row with its id.
    return {"result_format": "COMPLETE", "unexpected_index_column_names": [spec.id_column]}


def _judge(spec: SuiteSpec, outcomes: list[Outcome], evaluated: int
           ) -> tuple[SuiteReport, list[Flag]]:
    failed, table_failures, flags = [], [], []
    for outcome in outcomes:
        if outcome.success:
            continue
        failed.append(outcome.label)
        if outcome.error is not None:
            table_failures.append(f"{outcome.label} could not be evaluated: {outcome.error}")
        elif outcome.level == "table":
            table_failures.append(outcome.label)
        elif not outcome.failing:
            table_failures.append(f"{outcome.label} failed {outcome.unexpected_count} rows "
                                  f"that GX did not identify by {spec.id_column}")
        else:
            flags.extend(flags_for(spec.name, spec.relation, outcome))
    report = SuiteReport(name=spec.name, evaluated=evaluated, failed_expectations=tuple(failed),
                         table_failures=tuple(table_failures), flags=len(flags))
    return report, flags


def validate_warehouse(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str,
                       *, today: date | None = None) -> ValidationReport:
    """Validate the warehouse behind `con`; see the module docstring. `today` sets max_year."""
    import great_expectations as gx

    # Read every suite before running any: a broken suite file fails before anything is written.
    suites = [(spec, load_suite(spec.path(settings.expectations_dir))) for spec in SUITES]
    parameters = suite_parameters(today)
    started = datetime.now(timezone.utc)

    context = ephemeral_context(Path(settings.docs_dir))
    datasource = context.data_sources.add_pandas("litmine_warehouse")
    gx_run = gx.RunIdentifier(run_name=run_id, run_time=started)

    reports: list[SuiteReport] = []
    flags: list[Flag] = []
    for spec, suite in suites:
        # execute(), not sql(): DuckDB 2 refuses sql() while an earlier fetchone() on the same
        # connection has rows left, and callers hand us connections in any state.
        frame = con.execute(spec.sql).df()
        batch = datasource.add_dataframe_asset(spec.name).add_batch_definition_whole_dataframe(
            spec.name)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=spec.name, data=batch, suite=context.suites.add(suite)))
        result = definition.run(batch_parameters={"dataframe": frame},
                                expectation_parameters=parameters,
                                result_format=_result_format(spec), run_id=gx_run)
        outcomes = [read_result(r, spec.id_column) for r in result.results]
        report, suite_flags = _judge(spec, outcomes, evaluated=len(frame))
        reports.append(report)
        flags.extend(suite_flags)

    context.build_data_docs()
    make_offline(settings.docs_dir)          # no CDN: the docs must open on offline machines
    docs_index = Path(settings.docs_dir).resolve() / "index.html"
    flags.extend(review_table_flags(con))   # not a GX suite: a cross-check between two readings

    with transaction(con):
        written = write_flags(con, flags, run_id, started)
        for report in reports:
            con.execute(
                """INSERT OR REPLACE INTO ops.validation_runs
                   (run_id, suite, success, evaluated, failed, table_failures, ran_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                [run_id, report.name, report.success, report.evaluated,
                 len(report.failed_expectations), list(report.table_failures), started],
            )

    return ValidationReport(success=all(r.success for r in reports), suites=tuple(reports),
                            flags_written=written, docs_index=docs_index)
