"""Row flags: one `ops.flags` row per record that failed a row-level expectation.

What: `flags_for` turns a failed row-level `Outcome` into `Flag`s with a sentence a curator can
act on ("sample_size 0 is outside 1..100000"); `write_flags` inserts them.

Why: DESIGN.md sends values that fail an expectation to the curation queue instead of dropping
them or failing the night. Validation runs every night over all current rows, so a flag's id is
a hash of what it is about (suite | expectation | table | record | column), not of when it was
raised: re-running finds the same ids and `ON CONFLICT DO NOTHING` keeps the first one, with
the run that first raised it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

import duckdb

from pipeline.validate.results import Outcome, plain


@dataclass(frozen=True)
class Flag:
    flag_id: str
    suite: str
    expectation: str
    table_name: str
    record_id: str
    column_name: str | None
    reason: str


def flag_id(suite: str, expectation: str, table: str, record_id: str, column: str | None) -> str:
    key = "|".join([suite, expectation, table, record_id, column or ""])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _show(value: Any) -> str:
    value = plain(value)
    if value is None:
        return "missing"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _bound(value: Any) -> str:
    value = plain(value)
    return "" if value is None else str(value)


def describe_condition(condition: Any) -> str | None:
    """A GX 1.x row condition (serialized or object) in words: "relevant == true"."""
    if condition is None:
        return None
    if hasattr(condition, "dict"):
        condition = condition.dict()
    if isinstance(condition, str):
        return condition
    if not isinstance(condition, dict):
        return str(condition)
    kind = condition.get("type")
    column = (condition.get("column") or {}).get("name")
    if kind == "comparison":
        parameter = condition.get("parameter")
        shown = str(parameter).lower() if isinstance(parameter, bool) else repr(parameter)
        return f"{column} {condition.get('operator')} {shown}"
    if kind == "nullity":
        return f"{column} is {'null' if condition.get('is_null') else 'not null'}"
    if kind in ("and", "or"):
        parts = [describe_condition(c) for c in condition.get("conditions") or []]
        return f" {kind} ".join(f"({p})" for p in parts)
    if "pass_through_filter" in condition:
        return str(condition["pass_through_filter"])
    return str(condition)


def reason(expectation: str, column: str | None, kwargs: dict, value: Any) -> str:
    """Why this value failed `expectation`, as a sentence for the curation queue."""
    name = column or "row"
    if expectation == "expect_column_values_to_not_be_null":
        text = f"{name} is missing"
    elif expectation == "expect_column_values_to_be_between":
        low, high = _bound(kwargs.get("min_value")), _bound(kwargs.get("max_value"))
        text = f"{name} {_show(value)} is outside {low}..{high}"
    elif expectation == "expect_column_values_to_be_in_set":
        allowed = ", ".join(str(v) for v in kwargs.get("value_set") or [])
        text = f"{name} {_show(value)} is not one of: {allowed}"
    elif expectation == "expect_column_values_to_match_regex":
        text = f"{name} {_show(value)} does not match the pattern {kwargs.get('regex')}"
    elif expectation == "expect_column_values_to_be_unique":
        text = f"{name} {_show(value)} occurs more than once"
    else:
        text = f"{name} {_show(value)} fails {expectation}"
    condition = describe_condition(kwargs.get("row_condition"))
    return f"{text} (checked where {condition})" if condition else text


def flags_for(suite: str, table: str, outcome: Outcome) -> list[Flag]:
    """One flag per failing record of a failed row-level expectation (deduplicated)."""
    found: dict[str, Flag] = {}
    for record_id, value in outcome.failing or []:
        fid = flag_id(suite, outcome.expectation, table, record_id, outcome.column)
        found.setdefault(fid, Flag(
            flag_id=fid, suite=suite, expectation=outcome.expectation, table_name=table,
            record_id=record_id, column_name=outcome.column,
            reason=reason(outcome.expectation, outcome.column, outcome.kwargs, value),
        ))
    return list(found.values())


def write_flags(con: duckdb.DuckDBPyConnection, flags: Iterable[Flag], run_id: str,
                created_at: datetime) -> int:
    """Insert the flags not already in ops.flags; return how many were new."""
    unique = {f.flag_id: f for f in flags}
    if not unique:
        return 0
    import pandas as pd   # here, not at the top: a quiet night writes no flags, needs no pandas

    frame = pd.DataFrame(
        [(f.flag_id, run_id, f.suite, f.expectation, f.table_name, f.record_id,
          f.column_name, f.reason) for f in unique.values()],
        columns=["flag_id", "run_id", "suite", "expectation", "table_name", "record_id",
                 "column_name", "reason"],
        dtype=object,
    )
    view = "_litmine_new_flags"
    con.register(view, frame)
    try:
        inserted = con.execute(
            f"""INSERT INTO ops.flags (flag_id, run_id, suite, expectation, table_name,
                                       record_id, column_name, reason, created_at)
                SELECT flag_id, run_id, suite, expectation, table_name, record_id,
                       column_name, reason, ?::TIMESTAMPTZ
                FROM {view}
                ON CONFLICT DO NOTHING
                RETURNING flag_id""",
            [created_at],
        ).fetchall()
    finally:
        con.unregister(view)
    return len(inserted)
