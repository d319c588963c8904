"""Which expectation suites run, on which rows, and how their JSON becomes a GX suite.

What: `SUITES` names each suite of `expectations/` together with the SQL that builds the frame
it validates, the relation its flags point at and the column that identifies a record.
`load_suite` reads one suite file strictly; `suite_parameters` supplies the values the suites
leave to run time (`{"$PARAMETER": "max_year"}`).

Why: the suites are versioned GX 1.x JSON so that analysts can read and review them, but every
expectation must also say what its failure means (`meta.level`: "row" flags the record,
"table" fails the run) and why it exists (`meta.why`). GX 1.24 itself logs and *drops* an
expectation whose configuration it cannot build (`ExpectationSuite.__init__`), which would
silently weaken validation, so loading here refuses any suite that does not come through whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.validate import gx_context  # noqa: F401  (sets GX_ANALYTICS_ENABLED first)

if TYPE_CHECKING:  # pragma: no cover
    from great_expectations import ExpectationSuite

LEVELS = ("row", "table")


class SuiteError(ValueError):
    """A suite file that is missing, malformed or not fully understood by GX."""


# The articles frame carries `relevant` so that the abstract check can use a GX row condition
# (`{"type": "comparison", "column": {"name": "relevant"}, "operator": "==", "parameter": true}`
# in articles.json) rather than a second, pre-filtered frame. Decision: GX 1.24's pandas engine
# turns that condition into `DataFrame.query("relevant == True")`, which on the nullable
# `boolean` dtype DuckDB returns keeps only true rows (NULL, i.e. no extraction yet, and false
# are both left out), and its failing rows still carry `article_id` through
# unexpected_index_column_names. One frame per suite also keeps a single Data Docs page per
# suite. tests/validate pins this behaviour (relevant NULL/false without abstract: no flag;
# relevant true without abstract: flagged). The frames GX reads are ordered where they are
# read (`changes.pending_frames`), so flags and docs are deterministic; the frames themselves
# are unordered, because every night fingerprints all their rows, and sorting 94k wide rows
# first cost 40 % of that.
ARTICLES_SQL = """
SELECT a.*, e.relevant
FROM core.articles_current AS a
LEFT JOIN core.extractions_latest AS e ON e.article_id = a.article_id
"""

EXTRACTIONS_SQL = """
SELECT *
FROM core.extractions_latest
"""


@dataclass(frozen=True)
class SuiteSpec:
    name: str        # suite name, and `<name>.json` in settings.expectations_dir
    relation: str    # what ops.flags.table_name records for this suite's flags
    id_column: str   # the column whose value becomes ops.flags.record_id
    sql: str         # the rows the suite validates

    def path(self, expectations_dir: Path) -> Path:
        return Path(expectations_dir) / f"{self.name}.json"


SUITES: tuple[SuiteSpec, ...] = (
    SuiteSpec("articles", "core.articles_current", "article_id", ARTICLES_SQL),
    SuiteSpec("extractions", "core.extractions_latest", "article_id", EXTRACTIONS_SQL),
)


def suite_parameters(today: date | None = None) -> dict[str, Any]:
    """Values for the `$PARAMETER`s of the suites, which depend on the day of the run."""
    today = today or date.today()
    return {"max_year": today.year + 1}


def read_suite_document(path: Path) -> dict:
    """The suite JSON at `path`, checked for the litmine conventions (name, meta.level/why)."""
    path = Path(path)
    if not path.is_file():
        raise SuiteError(f"expectation suite not found: {path}")
    try:
        doc = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("name") != path.stem:
        raise SuiteError(f"{path}: the suite's name must be {path.stem!r}")
    expectations = doc.get("expectations")
    if not isinstance(expectations, list):
        raise SuiteError(f"{path}: 'expectations' must be a list")
    for i, exp in enumerate(expectations):
        if not isinstance(exp, dict):
            raise SuiteError(f"{path.name} expectation {i}: must be a JSON object")
        meta = exp.get("meta") or {}
        label = f"{path.name} expectation {i} ({exp.get('type')})"
        if meta.get("level") not in LEVELS:
            raise SuiteError(f"{label}: meta.level must be one of {LEVELS}, "
                             f"got {meta.get('level')!r}")
        if not str(meta.get("why") or "").strip():
            raise SuiteError(f"{label}: meta.why must say why the expectation exists")
    return doc


def load_suite(path: Path, level: str | None = None) -> "ExpectationSuite":
    """A GX ExpectationSuite from `path`, with every expectation in the file or an error; with
    `level`, only the expectations of that level (all are still built, so any error shows)."""
    from pipeline.validate.gx_import import import_gx

    gx = import_gx()
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    doc = read_suite_document(path)
    # Expectations are rebuilt one by one so that an unknown type or bad kwargs is an error
    # here, instead of the log line-and-drop of ExpectationSuite(expectations=[...]).
    expectations = []
    for i, exp in enumerate(doc["expectations"]):
        try:
            config = ExpectationConfiguration(
                type=exp["type"], kwargs=exp.get("kwargs") or {}, meta=exp.get("meta"),
                notes=exp.get("notes"), description=exp.get("description"),
            )
            built = config.to_domain_obj()
        except Exception as exc:  # GX raises several unrelated types for a bad config
            raise SuiteError(f"{Path(path).name} expectation {i} ({exp.get('type')}): "
                             f"GX cannot build it: {exc}") from exc
        if level is None or exp["meta"]["level"] == level:
            expectations.append(built)
    suite = gx.ExpectationSuite(
        name=doc["name"], expectations=expectations, meta=doc.get("meta"),
        suite_parameters=doc.get("suite_parameters") or {}, notes=doc.get("notes"),
    )
    if len(suite.expectations) != len(expectations):
        raise SuiteError(f"{Path(path).name}: GX kept {len(suite.expectations)} of "
                         f"{len(expectations)} expectations")
    return suite
