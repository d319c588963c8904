"""The validation stage: check what the night changed, judge the whole table, flag bad rows.

What: `validate_warehouse(con, settings, run_id, all_rows=False)` reads every suite of
`suites.SUITES` from `settings.expectations_dir` and, per suite:
- row-level expectations (`meta.level: "row"`) run in Great Expectations 1.x over the rows new
  or changed since the suite last saw them (`changes.py`: re-extractions, full texts, curator
  actions included), in chunks of whole records; their failures become `ops.flags` rows;
- table-level expectations (`meta.level: "table"`) run as SQL aggregates over the whole table in
  DuckDB (`table_checks.py`) every night, so a duplicate key an old row now shares is caught;
- a full pass over every row happens when `all_rows` is set (`litmine validate --all`) or the
  suite's fingerprint (file, frame SQL, run-time parameters) differs from the one recorded in
  `ops.validation_state`.
Data Docs under `settings.docs_dir` show the row-level results whenever GX ran (a quiet night
with nothing to check does not import GX at all); each suite gets an `ops.validation_runs` row
(mode, rows checked, table rows). `raise_for_table_failures(report)` turns a failed report
into `ValidationFailed` for the CLI and the DAG.

Why: EXTRACTION_SPEC.md sends implausible values (a sample size of 0, a follow-up over 20 years)
to curators rather than failing the night, while a broken table (a duplicate key, a missing
column) must stop publication. An expectation that could not be evaluated, or a row-level
failure whose records GX could not name, is escalated to a table-level failure, and the rows of
that suite are not recorded as validated, so they are checked again: nothing fails silently.
Everything is keyed so that a rerun is a no-op: flags by content hash, validation_runs by
(run_id, suite), and the ledger of validated rows is written in the same transaction as both.
Cost and memory follow the night's changes, not the warehouse (issue 12).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb

from pipeline.config import Settings
from pipeline.validate.gx_context import ephemeral_context  # sets GX_ANALYTICS_ENABLED first
from pipeline.validate.docs_offline import make_offline
from pipeline.validate import changes
from pipeline.validate.flags import Flag, flags_for, write_flags
from pipeline.validate.results import Outcome, label, read_result
from pipeline.validate.review_tables import review_table_flags
from pipeline.validate.suites import (
    SUITES,
    SuiteSpec,
    load_suite,
    read_suite_document,
    suite_parameters,
)
from pipeline.validate.table_checks import TableOutcome, check_table
from pipeline.warehouse.db import transaction


@dataclass(frozen=True)
class SuiteReport:
    name: str
    evaluated: int                       # rows the row-level expectations checked
    failed_expectations: tuple[str, ...]  # labels, "expectation(column)", row- and table-level
    table_failures: tuple[str, ...]       # the labels among them that fail the run
    flags: int = 0                        # failing records found (new or already flagged)
    mode: str = "full"                    # "full" or "incremental"
    table_rows: int = 0                   # rows the table-level SQL checks covered

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
                         f"(ops.validation_runs has them; row-level results are in the Data "
                         f"Docs: {report.docs_index})")


def raise_for_table_failures(report: ValidationReport) -> None:
    if not report.success:
        raise ValidationFailed(report)


def _result_format(spec: SuiteSpec) -> dict:
    # COMPLETE + unexpected_index_column_names makes GX list every failing row with its id.
    return {"result_format": "COMPLETE", "unexpected_index_column_names": [spec.id_column]}


@dataclass
class _SuitePlan:
    """One suite's work for this run, decided before anything is validated."""
    spec: SuiteSpec
    doc: dict                 # the suite file, checked by read_suite_document
    fingerprint: str
    full: bool
    pending: int = 0          # records whose rows the row-level expectations must see

    def expectations(self, level: str) -> list[dict]:
        return [e for e in self.doc["expectations"] if e["meta"]["level"] == level]


def _plan(con: duckdb.DuckDBPyConnection, settings: Settings, parameters: dict,
          all_rows: bool) -> list[_SuitePlan]:
    plans = []
    for spec in SUITES:
        path = spec.path(settings.expectations_dir)
        doc = read_suite_document(path)
        fingerprint = changes.suite_fingerprint(path, spec, parameters)
        known = con.execute("SELECT suite_hash FROM ops.validation_state WHERE suite = ?",
                            [spec.name]).fetchone()
        full = all_rows or known is None or known[0] != fingerprint
        plans.append(_SuitePlan(spec, doc, fingerprint, full))
    for plan in plans:
        plan.pending = changes.find_pending(con, plan.spec, plan.full)
    return plans


def _judge_table(outcomes: list[TableOutcome]) -> tuple[list[str], list[str]]:
    """(failed labels, table failures) of the SQL-checked table-level expectations."""
    failed, table_failures = [], []
    for outcome in outcomes:
        if outcome.success:
            continue
        name = label(outcome.expectation, outcome.column)
        failed.append(name)
        if outcome.error is not None:
            table_failures.append(f"{name} could not be evaluated: {outcome.error}")
        else:
            table_failures.append(f"{name}: {outcome.observed}")
    return failed, table_failures


def _judge_rows(spec: SuiteSpec, outcomes: list[Outcome]
                ) -> tuple[list[str], list[str], list[Flag]]:
    """(failed labels, escalations, flags) of GX row-level results over one chunk."""
    failed, escalated, flags = [], [], []
    for outcome in outcomes:
        if outcome.success:
            continue
        failed.append(outcome.label)
        if outcome.error is not None:
            escalated.append(f"{outcome.label} could not be evaluated: {outcome.error}")
        elif not outcome.failing:
            escalated.append(f"{outcome.label} failed {outcome.unexpected_count} rows "
                             f"that GX did not identify by {spec.id_column}")
        else:
            flags.extend(flags_for(spec.name, spec.relation, outcome))
    return failed, escalated, flags


class _RowValidator:
    """Great Expectations over pandas frames of changed rows; GX is imported on first use."""

    def __init__(self, settings: Settings, run_id: str, started: datetime, parameters: dict):
        from pipeline.validate.gx_import import import_gx

        gx = import_gx()
        self.gx, self.parameters, self.run_id, self.started = gx, parameters, run_id, started
        self.context = ephemeral_context(Path(settings.docs_dir))
        self.datasource = self.context.data_sources.add_pandas("litmine_warehouse")
        self.definitions: dict[str, object] = {}

    def add_suite(self, spec: SuiteSpec, suite) -> None:
        batch = self.datasource.add_dataframe_asset(spec.name) \
            .add_batch_definition_whole_dataframe(spec.name)
        self.definitions[spec.name] = self.context.validation_definitions.add(
            self.gx.ValidationDefinition(name=spec.name, data=batch,
                                         suite=self.context.suites.add(suite)))

    def run(self, spec: SuiteSpec, frame, part: int) -> list[Outcome]:
        name = self.run_id if part == 0 else f"{self.run_id} part {part + 1}"
        result = self.definitions[spec.name].run(
            batch_parameters={"dataframe": frame}, expectation_parameters=self.parameters,
            result_format=_result_format(spec),
            run_id=self.gx.RunIdentifier(run_name=name, run_time=self.started))
        return [read_result(r, spec.id_column) for r in result.results]

    def build_docs(self, docs_dir: Path) -> None:
        self.context.build_data_docs()
        make_offline(docs_dir)          # no CDN: the docs must open on offline machines


def _validate_suite(con, plan: _SuitePlan, rows: _RowValidator | None, parameters: dict
                    ) -> tuple[SuiteReport, list[Flag], bool]:
    """Table checks in SQL, row checks in GX; (report, flags, whether the rows may be
    remembered as validated)."""
    spec = plan.spec
    relation = spec.sql
    failed, table_failures = _judge_table(
        [check_table(con, relation, e, parameters) for e in plan.expectations("table")])
    (table_rows,) = con.execute(f"SELECT count(*) FROM ({relation})").fetchone()
    evaluated, flags, escalated = 0, [], []
    if rows is not None and (plan.pending or plan.full):
        frames = changes.pending_frames(con, spec)
        if not plan.pending:     # a full pass of an empty table still documents the suite
            frames = iter([con.execute(f"SELECT * FROM ({relation}) LIMIT 0").df()])
        for part, frame in enumerate(frames):
            evaluated += len(frame)
            more_failed, more_escalated, more_flags = _judge_rows(spec, rows.run(spec, frame, part))
            failed += [f for f in more_failed if f not in failed]
            escalated += [e for e in more_escalated if e not in escalated]
            flags += more_flags
    report = SuiteReport(name=spec.name, evaluated=evaluated, failed_expectations=tuple(failed),
                         table_failures=tuple(table_failures + escalated), flags=len(flags),
                         mode="full" if plan.full else "incremental", table_rows=table_rows)
    return report, flags, not escalated


def validate_warehouse(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str,
                       *, today: date | None = None, all_rows: bool = False) -> ValidationReport:
    """Validate the warehouse behind `con`; see the module docstring. `today` sets max_year;
    `all_rows` re-validates every row, not only the new and changed ones."""
    parameters = suite_parameters(today)
    started = datetime.now(timezone.utc)
    early = _import_gx_meanwhile() if all_rows or _loaded_anything(con, run_id) else None
    plans = _plan(con, settings, parameters, all_rows)
    rows = None
    try:
        if any(plan.full or plan.pending for plan in plans):
            # Build every suite before running any: a suite GX would weaken fails before
            # anything is written.
            suites = [load_suite(plan.spec.path(settings.expectations_dir), level="row")
                      for plan in plans]
            rows = _RowValidator(settings, run_id, started, parameters)
            for plan, suite in zip(plans, suites):
                rows.add_suite(plan.spec, suite)
        results = [_validate_suite(con, plan, rows, parameters) for plan in plans]
        if rows is not None:
            rows.build_docs(Path(settings.docs_dir))
        docs_index = Path(settings.docs_dir).resolve() / "index.html"
        flags = [flag for _, suite_flags, _ in results for flag in suite_flags]
        flags.extend(review_table_flags(con))   # not a GX suite: a cross-check of two readings

        with transaction(con):
            written = write_flags(con, flags, run_id, started)
            for plan, (report, _, trusted) in zip(plans, results):
                _record(con, plan, report, trusted, run_id, started)
    finally:
        for plan in plans:
            changes.drop_pending(con, plan.spec)
        if early is not None:
            early.join()
    reports = tuple(report for report, _, _ in results)
    return ValidationReport(success=all(r.success for r in reports), suites=reports,
                            flags_written=written, docs_index=docs_index)


def _loaded_anything(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    """Whether this run loaded new or changed records, or new extractions: then GX will almost
    surely be needed for the rows they brought."""
    return con.execute("""SELECT EXISTS (SELECT 1 FROM ops.runs WHERE run_id = ?
                                         AND new + changed > 0)
                              OR EXISTS (SELECT 1 FROM core.extractions WHERE run_id = ?)""",
                       [run_id, run_id]).fetchone()[0]


def _import_gx_meanwhile() -> threading.Thread:
    """Import GX on a thread while DuckDB finds the pending rows and runs the table checks
    (DuckDB releases the GIL while it works): ~2 s of imports overlap ~1.5 s of queries. This
    only decides when GX is imported; what is validated is decided by the plan, as without it
    (a quiet night, where the guess says no, still never imports GX)."""
    from pipeline.validate.gx_import import import_gx

    def quietly() -> None:
        try:
            import_gx()
        except Exception:   # noqa: BLE001 - the validator's own import_gx() will raise it
            pass
    thread = threading.Thread(target=quietly, name="litmine-gx-import")
    thread.start()
    return thread


def _record(con, plan: _SuitePlan, report: SuiteReport, trusted: bool, run_id: str,
            started: datetime) -> None:
    """The suite's ops.validation_runs row; and, unless a row-level expectation could not be
    judged, its rows as validated and its fingerprint as current (the same transaction)."""
    con.execute(
        """INSERT OR REPLACE INTO ops.validation_runs
           (run_id, suite, success, evaluated, failed, table_failures, ran_at, mode,
            suite_hash, table_rows)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [run_id, report.name, report.success, report.evaluated, len(report.failed_expectations),
         list(report.table_failures), started, report.mode, plan.fingerprint, report.table_rows])
    if not trusted:
        return
    changes.remember_pending(con, plan.spec, plan.full, run_id)
    con.execute(
        """INSERT INTO ops.validation_state (suite, suite_hash, full_run_id, last_run_id,
                                             validated_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (suite) DO UPDATE SET
               suite_hash = excluded.suite_hash, last_run_id = excluded.last_run_id,
               validated_at = excluded.validated_at,
               full_run_id = CASE WHEN ? THEN excluded.full_run_id
                                  ELSE ops.validation_state.full_run_id END""",
        [plan.spec.name, plan.fingerprint, run_id, run_id, started, plan.full])
