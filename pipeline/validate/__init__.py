"""Validation stage: run the Great Expectations suites of `expectations/` over the warehouse.

Row-level failures become `ops.flags` rows for curators; table-level failures make the report
unsuccessful, and `raise_for_table_failures` turns that into `ValidationFailed`. Importing this
package is cheap: Great Expectations itself is imported only when validation runs.
"""

from pipeline.validate.run import (
    SuiteReport,
    ValidationFailed,
    ValidationReport,
    raise_for_table_failures,
    validate_warehouse,
)
from pipeline.validate.suites import SUITES, SuiteError, SuiteSpec, load_suite

__all__ = [
    "SUITES",
    "SuiteError",
    "SuiteReport",
    "SuiteSpec",
    "ValidationFailed",
    "ValidationReport",
    "load_suite",
    "raise_for_table_failures",
    "validate_warehouse",
]
