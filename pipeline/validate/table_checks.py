"""Table-level expectations as SQL aggregates over the whole relation, inside DuckDB.

What: `check_table(con, relation_sql, expectation, parameters)` evaluates one `meta.level:
"table"` expectation of a suite file against every row of `relation_sql` with one aggregate
query and returns a `TableOutcome` (passed, what was observed, or why it could not run).

Why: row-level expectations only need the night's new or changed rows, but uniqueness, counts
and value distributions are properties of the whole table: a duplicate key can be created by a
new row colliding with a ten-year-old one. Loading the table into pandas for GX made validation
cost and memory grow with the warehouse (3.6 GB at 220k rows); DuckDB computes the same answer
from a streaming aggregate in constant memory. The semantics follow GX 1.24's own definitions
(checked against its source: non-null duplicates for uniqueness, `exact_match: false` means the
listed columns must all be present, `mostly` is the share of non-null rows that must pass). A
table-level expectation type with no SQL here, or one using a kwarg we do not understand (e.g. a
row condition), is reported as not evaluable, which the caller escalates to a table failure:
nothing is skipped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import duckdb

# kwargs every expectation may carry that do not change what is checked.
_NEUTRAL = {"result_format", "catch_exceptions", "meta", "include_config"}


@dataclass(frozen=True)
class TableOutcome:
    expectation: str
    column: str | None
    success: bool
    observed: str = ""               # what the aggregate found, for the failure message
    error: str | None = None         # set when the expectation could not be evaluated in SQL


def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _resolve(value: Any, parameters: dict) -> Any:
    if isinstance(value, dict) and "$PARAMETER" in value:
        return parameters[value["$PARAMETER"]]
    return value


def _one(con, sql: str, params: list | None = None) -> tuple:
    return con.execute(sql, params or []).fetchone()


def _columns(con, rel: str, kw: dict) -> tuple[bool, str]:
    actual = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM ({rel})").fetchall()}
    expected = set(kw.get("column_set") or [])
    missing = sorted(expected - actual)
    unexpected = sorted(actual - expected)
    ok = not missing and (not kw.get("exact_match", True) or not unexpected)
    return ok, f"missing {missing}, unexpected {unexpected}"


def _row_count(con, rel: str, kw: dict) -> tuple[bool, str]:
    (n,) = _one(con, f"SELECT count(*) FROM ({rel})")
    low, high = kw.get("min_value"), kw.get("max_value")
    ok = (low is None or n >= low) and (high is None or n <= high)
    return ok, f"{n} rows"


def _duplicates(con, rel: str, columns: list[str]) -> tuple[bool, str]:
    cols = ", ".join(_quote(c) for c in columns)
    not_null = " AND ".join(f"{_quote(c)} IS NOT NULL" for c in columns)
    dupes, rows, examples = _one(con, f"""
        SELECT count(*), coalesce(sum(n), 0), list(key ORDER BY key)[:5]
        FROM (SELECT CAST(({cols}) AS VARCHAR) AS key, count(*) AS n FROM ({rel})
              WHERE {not_null} GROUP BY ALL HAVING count(*) > 1)""")
    return dupes == 0, f"{dupes} value(s) on {rows} rows occur more than once, e.g. {examples}"


def _unique(con, rel: str, kw: dict) -> tuple[bool, str]:
    return _duplicates(con, rel, [kw["column"]])


def _compound_unique(con, rel: str, kw: dict) -> tuple[bool, str]:
    return _duplicates(con, rel, list(kw["column_list"]))


def _mostly(con, rel: str, kw: dict, bad_sql: str, counted: str) -> tuple[bool, str]:
    """`bad_sql` marks a failing row among the `counted` ones; `mostly` is the share to pass."""
    total, bad = _one(con, f"SELECT count(*) FILTER (WHERE {counted}), "
                           f"count(*) FILTER (WHERE {counted} AND ({bad_sql})) FROM ({rel})")
    mostly = float(kw.get("mostly", 1.0))
    ok = total == 0 or (total - bad) / total >= mostly
    return ok, f"{bad} of {total} rows fail"


def _not_null(con, rel: str, kw: dict) -> tuple[bool, str]:
    col = _quote(kw["column"])
    return _mostly(con, rel, kw, f"{col} IS NULL", "true")


def _between(con, rel: str, kw: dict) -> tuple[bool, str]:
    col, low, high = _quote(kw["column"]), kw.get("min_value"), kw.get("max_value")
    bad = " OR ".join([f"{col} < {float(low)!r}" if low is not None else "false",
                       f"{col} > {float(high)!r}" if high is not None else "false"])
    return _mostly(con, rel, kw, bad, f"{col} IS NOT NULL")


def _in_set(con, rel: str, kw: dict) -> tuple[bool, str]:
    col = _quote(kw["column"])
    con.execute("SET VARIABLE litmine_value_set = ?", [[str(v) for v in kw["value_set"]]])
    return _mostly(con, rel, kw, f"NOT list_contains(getvariable('litmine_value_set'), "
                                 f"{col}::VARCHAR)", f"{col} IS NOT NULL")


def _mean(con, rel: str, kw: dict) -> tuple[bool, str]:
    (mean,) = _one(con, f"SELECT avg({_quote(kw['column'])}) FROM ({rel})")
    low, high = kw.get("min_value"), kw.get("max_value")
    ok = mean is not None and (low is None or mean >= low) and (high is None or mean <= high)
    return ok, f"mean {mean}"


# expectation type -> (kwargs it understands, the aggregate)
CHECKS: dict[str, tuple[set[str], Callable[..., tuple[bool, str]]]] = {
    "expect_table_columns_to_match_set": ({"column_set", "exact_match"}, _columns),
    "expect_table_row_count_to_be_between": ({"min_value", "max_value"}, _row_count),
    "expect_column_values_to_be_unique": ({"column"}, _unique),
    "expect_compound_columns_to_be_unique": ({"column_list"}, _compound_unique),
    "expect_column_values_to_not_be_null": ({"column", "mostly"}, _not_null),
    "expect_column_values_to_be_between": ({"column", "min_value", "max_value", "mostly"}, _between),
    "expect_column_values_to_be_in_set": ({"column", "value_set", "mostly"}, _in_set),
    "expect_column_mean_to_be_between": ({"column", "min_value", "max_value"}, _mean),
}


def check_table(con: duckdb.DuckDBPyConnection, relation_sql: str, expectation: dict,
                parameters: dict) -> TableOutcome:
    """One table-level expectation (a suite JSON entry) over all rows of `relation_sql`."""
    kind = expectation["type"]
    kwargs = {k: _resolve(v, parameters) for k, v in (expectation.get("kwargs") or {}).items()}
    column = kwargs.get("column")
    known = CHECKS.get(kind)
    if known is None:
        return TableOutcome(kind, column, False, error=(
            "no SQL aggregate for this table-level expectation "
            "(add one in pipeline/validate/table_checks.py)"))
    unknown = set(kwargs) - known[0] - _NEUTRAL
    if unknown:
        return TableOutcome(kind, column, False,
                            error=f"kwargs not supported at table level: {sorted(unknown)}")
    try:
        ok, observed = known[1](con, relation_sql, kwargs)
    except (duckdb.Error, KeyError, TypeError, ValueError) as exc:
        return TableOutcome(kind, column, False, error=f"{type(exc).__name__}: {exc}")
    return TableOutcome(kind, column, ok, observed=observed)
