"""Each mart computed once per publish, or not at all when nothing it reads has changed.

What: `materialised_marts(con, cache, tables)` is a context manager that makes every view of
the `marts` schema readable as `temp.main._litmine_mart_<name>` for the duration of a publish.
A mart is computed once into a temporary table and kept, in its row order, as
`cache/<mart>.parquet` with the fingerprint of its inputs (`cache/inputs.json`). When a later
publish finds the same input fingerprints (`tables`: {table: fingerprint}, from the snapshot
update; a mart's input tables are the table scans of its unoptimised plan, i.e. what DuckDB's
binder resolved), the mart is read back from the cache (a temporary view) instead of computed. `mart_relation(con, name)` names the relation to read a mart from: the
temporary one while it exists, else the view itself.

Why: the marts are views over views (`core.studies` lays curators' values over extractions,
parses targets, ranks designs), and a publish read them many times: each Parquet partition, the
CSV, XLSX and RIS files, and every count and table of the report. At 100k records computing
them was most of a quiet night's publish, though a quiet night changes only the marts about the
last run. A mart is reused only when it is a pure function of tables: a plan that calls a
clock, a random or variable function, or reads a file, is always computed. Temporary objects
live in the connection (they also work on a read-only snapshot) and vanish with it, so nothing
stale can outlive the publish that made them.

Computed marts share the core views most of them read (`SHARED_VIEWS`): the first computed mart
that names one materialises it once, into a temporary table, and every computed mart then runs
its own SQL with its references to those views pointed at the tables. At 100k records the
curation overlay (`core.evidence_current`) was computed six times and `core.studies` four
times per publish, which was most of the marts' cost.
"""

from __future__ import annotations

import hashlib
import json
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from pipeline.warehouse.db import sql_string

PREFIX = "_litmine_mart_"
# Read by most marts, and costly (the curation overlay; the review-table shaping on top of it):
# materialised once per publish, in this order (the second reads the first).
SHARED_VIEWS = ("core.evidence_current", "core.studies")
_SHARED_PREFIX = "_litmine_shared_"
# Functions whose value is not determined by the tables a plan reads.
_VOLATILE = re.compile(r"\b(now|current_date|current_time|current_timestamp|get_current_\w+|"
                       r"today|random|gen_random_uuid|uuid|setseed|getvariable|nextval|"
                       r"currval)\s*\(|\bcurrent_(date|time|timestamp)\b", re.I)
_SCAN_OPERATORS = {"SEQ_SCAN", "TABLE_SCAN"}


def mart_cache(settings) -> Path:
    """Where the writer keeps the computed marts between publishes: beside the warehouse (not
    in the published folder, which is for analysts)."""
    return Path(settings.warehouse).parent / "mart_cache"


def mart_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The views of the warehouse's `marts` schema, in name order (not those of another
    database attached meanwhile, such as the snapshot being written beside the exports)."""
    rows = con.execute("""SELECT view_name FROM duckdb_views()
                          WHERE database_name = current_database() AND schema_name = 'marts'
                            AND NOT internal AND NOT temporary
                          ORDER BY view_name""").fetchall()
    return [name for (name,) in rows]


def _temp(name: str) -> str:
    return f'temp.main."{PREFIX}{name}"'


def mart_relation(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """`temp.main._litmine_mart_<name>` while materialised, else `marts.<name>`."""
    found = con.execute("""SELECT 1 FROM duckdb_tables() WHERE database_name = 'temp'
                               AND table_name = $name
                           UNION ALL
                           SELECT 1 FROM duckdb_views() WHERE database_name = 'temp'
                               AND view_name = $name""", {"name": PREFIX + name}).fetchall()
    return _temp(name) if found else f'marts."{name}"'


def plan_inputs(con: duckdb.DuckDBPyConnection, sql: str) -> set[str] | None:
    """The tables (schema.table) `sql` reads, from its unoptimised plan (the optimiser could
    drop a scan it proves empty); None when its result depends on more than tables."""
    con.execute("PRAGMA disable_optimizer")
    try:
        plan = con.execute(f"EXPLAIN (FORMAT JSON) {sql}").fetchall()[0][1]
    finally:
        con.execute("PRAGMA enable_optimizer")
    tables: set[str] = set()
    volatile = bool(_VOLATILE.search(plan))

    def walk(node: dict) -> None:
        nonlocal volatile
        info = node.get("extra_info") or {}
        if isinstance(info, dict) and "Table" in info:
            tables.add(info["Table"].split(".", 1)[1])        # drop the catalog name
        elif isinstance(info, dict) and "Function" in info and node["name"] not in _SCAN_OPERATORS:
            volatile = True                                    # a table function: files, ...
        for child in node.get("children") or []:
            walk(child)
    for node in json.loads(plan):
        walk(node)
    return None if volatile else tables


def inputs_fingerprint(con, sql: str, tables: dict[str, object] | None) -> str | None:
    """A hash of the fingerprints of the tables `sql` reads; None when unknown or volatile."""
    if not tables:
        return None
    inputs = plan_inputs(con, sql)
    if inputs is None or not inputs <= set(tables):
        return None
    text = json.dumps(sorted((t, str(tables[t])) for t in inputs))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _shared_name(view: str) -> str:
    return _SHARED_PREFIX + view.replace(".", "_")


def _shared_temp(view: str) -> str:
    return f'temp.main."{_shared_name(view)}"'


def _view_sql(con: duckdb.DuckDBPyConnection, view: str) -> str:
    """The SELECT of `schema.view` as DuckDB keeps it."""
    schema, name = view.split(".", 1)
    (sql,) = con.execute("""SELECT sql FROM duckdb_views() WHERE database_name = current_database()
                            AND schema_name = ? AND view_name = ?""", [schema, name]).fetchone()
    select = re.sub(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+\S+\s+AS\s+", "", sql, flags=re.I)
    return select.rstrip("; \n")


def _shared_in(sql: str) -> list[str]:
    """The shared views `sql` names, in SHARED_VIEWS order."""
    named = {f"core.{m.group(2)}" for m in _SHARED_REFERENCE.finditer(sql)}
    return [view for view in SHARED_VIEWS if view in named]


def _read_shared(sql: str, held) -> str:
    """`sql` with its references to the shared views in `held` pointed at their tables."""
    def point(match: re.Match) -> str:
        view = f"core.{match.group(2)}"
        return _shared_temp(view) if view in held else match.group(0)
    return _SHARED_REFERENCE.sub(point, sql)


def reading_shared(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """`sql` reading the shared views a publish holds as tables (those a computed mart needed,
    until the end of `materialised_marts`) from them; unchanged when none is held."""
    temporary = {name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'temp'").fetchall()}
    return _read_shared(sql, {v for v in SHARED_VIEWS if _shared_name(v) in temporary})


# `core.studies` or `core."studies"` as DuckDB writes a view's SQL back
_SHARED_REFERENCE = re.compile(r'\bcore\.("?)(%s)\1(?![\w"])'
                               % "|".join(v.split(".", 1)[1] for v in SHARED_VIEWS))


class _SharedViews:
    """The shared views as temporary tables, each made when the first computed mart needs it
    (a quiet night computes only the marts about runs) and kept until the marts are dropped,
    for the exports that read them too."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con, self.made = con, []

    def _reading(self, sql: str) -> str:
        """`sql` reading the shared views it names from their tables, made first if need be."""
        for view in _shared_in(sql):
            if view not in self.made:
                self.con.execute(f"CREATE OR REPLACE TEMP TABLE {_shared_temp(view)} AS "
                                 f"{self._reading(_view_sql(self.con, view))}")
                self.made.append(view)
        return _read_shared(sql, self.made)

    def select(self, mart: str) -> str:
        """The mart's SELECT, reading the shared views it names from their tables."""
        return self._reading(_view_sql(self.con, f"marts.{mart}"))

    def drop(self) -> None:
        for view in self.made:
            self.con.execute(f"DROP TABLE IF EXISTS {_shared_temp(view)}")
        self.made = []


def _read_cache(cache: Path) -> dict:
    try:
        known = json.loads((cache / "inputs.json").read_text())
    except (OSError, ValueError):
        return {}
    return known if known.get("duckdb") == duckdb.__version__ else {}


def _write_cache(con, cache: Path, name: str) -> None:
    """The computed mart, in its own row order, as `cache/<name>.parquet` (atomically)."""
    target = cache / f"{name}.parquet"
    tmp = cache / f".{name}.parquet.tmp"
    con.execute(f"COPY {_temp(name)} TO {sql_string(tmp)} (FORMAT parquet)")
    tmp.replace(target)


@contextmanager
def materialised_marts(con: duckdb.DuckDBPyConnection, cache: Path | None = None,
                       tables: dict[str, object] | None = None) -> Iterator[list[str]]:
    """Every mart readable through `mart_relation` for the duration of the block (see the
    module docstring); yields the names of the marts reused unchanged from `cache`."""
    names = mart_names(con)
    known = _read_cache(cache) if cache is not None else {}
    made: dict[str, str] = {}           # mart -> "VIEW" | "TABLE"
    reused, inputs = [], {}
    shared = _SharedViews(con)
    try:
        for name in names:
            inputs[name] = inputs_fingerprint(con, f'SELECT * FROM marts."{name}"', tables)
            cached = cache / f"{name}.parquet" if cache is not None else None
            if inputs[name] and known.get(name) == inputs[name] and cached.is_file():
                con.execute(f'CREATE OR REPLACE TEMP VIEW "{PREFIX}{name}" AS '
                            f"SELECT * FROM read_parquet({sql_string(cached)})")
                made[name] = "VIEW"
                reused.append(name)
                continue
            con.execute(f'CREATE OR REPLACE TEMP TABLE "{PREFIX}{name}" AS {shared.select(name)}')
            made[name] = "TABLE"
            if cache is not None and inputs[name]:
                cache.mkdir(parents=True, exist_ok=True)
                _write_cache(con, cache, name)
        if cache is not None:
            cache.mkdir(parents=True, exist_ok=True)
            record = {name: fp for name, fp in inputs.items() if fp}
            (cache / "inputs.json.tmp").write_text(json.dumps({**record, "duckdb": duckdb.__version__}))
            (cache / "inputs.json.tmp").replace(cache / "inputs.json")
        yield reused
    finally:
        shared.drop()
        for name, kind in made.items():
            con.execute(f"DROP {kind} IF EXISTS {_temp(name)}")
