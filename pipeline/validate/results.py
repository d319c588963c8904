"""Read one GX 1.x expectation result into the few facts the validation stage acts on.

What: `read_result(result, id_column)` returns an `Outcome`: the expectation's type, column,
level (`meta.level` of the suite JSON), a readable label, whether it passed, whether GX could
evaluate it at all, and the failing records as `(record_id, value)` pairs.

Why: GX results are loosely shaped dicts whose layout differs between expectation kinds and
between "failed" and "could not run" (GX 1.24 reports an evaluation error either as a flat
`{"raised_exception": True, ...}` or as a dict keyed by metric id with the traceback inside, and
in both cases `success` is simply False with an empty `result`). Keeping that knowledge here
lets `run.py` decide on plain values. Failing records come from `unexpected_index_list`, which
GX fills when the result format is COMPLETE and `unexpected_index_column_names` names the id
column (see `run.RESULT_FORMAT`): each entry is `{<column>: value, <id_column>: id}`, and under a
row condition it lists only the rows the condition kept. Recomputing failing ids from
`unexpected_list` values instead would be ambiguous (two records with the same bad value, NULLs,
row conditions), so when GX gives no ids `failing` is None and the caller escalates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Outcome:
    expectation: str                 # the expectation type, e.g. expect_column_values_to_be_between
    column: str | None
    level: str                       # "row" or "table"
    label: str                       # expectation(column): how reports and errors name it
    success: bool
    kwargs: dict = field(default_factory=dict)   # as evaluated: $PARAMETERs substituted
    error: str | None = None         # set when GX could not evaluate the expectation
    failing: list[tuple[str, Any]] | None = None  # (record_id, value) of each failing row
    unexpected_count: int = 0


def label(expectation: str, column: str | None) -> str:
    return f"{expectation}({column})" if column else expectation


def plain(value: Any) -> Any:
    """A numpy/pandas scalar as a plain Python value; NaN/NA/NaT as None."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, TypeError):
            pass
    import pandas as pd   # only reached with GX results, which come with pandas loaded

    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def evaluation_error(exception_info: Any) -> str | None:
    """The message of an exception GX caught while evaluating an expectation, if any."""
    if not exception_info:
        return None
    infos = [exception_info] + [v for v in dict(exception_info).values() if isinstance(v, dict)]
    for info in infos:
        if info.get("raised_exception") or info.get("exception_traceback"):
            message = info.get("exception_message")
            if not message and info.get("exception_traceback"):
                lines = str(info["exception_traceback"]).strip().splitlines()
                message = lines[-1] if lines else None
            return str(message or "GX raised an exception")
    return None


def read_result(result: Any, id_column: str) -> Outcome:
    """The facts of one `ExpectationValidationResult`; see the module docstring."""
    config = result.expectation_config
    kwargs = dict(config.kwargs or {})
    column = kwargs.get("column")
    meta = config.meta or {}
    details = dict(result.result or {})
    failing = None
    index_list = details.get("unexpected_index_list")
    if isinstance(index_list, list) and all(
        isinstance(row, dict) and id_column in row for row in index_list
    ):
        value_key = column if column is not None else id_column
        failing = [(str(plain(row[id_column])), plain(row.get(value_key))) for row in index_list]
    return Outcome(
        expectation=config.type,
        column=column,
        level=meta.get("level", "table"),
        label=label(config.type, column),
        success=bool(result.success),
        kwargs=kwargs,
        error=None if result.success else evaluation_error(result.exception_info),
        failing=failing,
        unexpected_count=int(details.get("unexpected_count") or 0),
    )
