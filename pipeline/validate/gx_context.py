"""A quiet, throw-away Great Expectations context whose only output is Data Docs.

What: `ephemeral_context(docs_dir)` returns a GX 1.x `EphemeralDataContext` whose stores
(suites, validation definitions, results, checkpoints) live in memory and whose single Data
Docs site is a folder, `docs_dir`.

Why: the suites are versioned JSON in `expectations/` and the results we keep go to DuckDB
(`ops.flags`, `ops.validation_runs`), so GX needs no project folder of its own. A file context
would create `gx/` (and `uncommitted/`) in the working directory; an ephemeral one writes nothing
but the HTML we ask for. Analytics are off (the environment variable must be set before GX is
first imported, hence at the top of this module, which every GX user in this package imports
first) and so are progress bars.

GX is imported lazily: it takes several seconds to import, and `pipeline.validate` is imported
by the CLI and the Airflow DAGs, which must stay quick to load.
"""

from __future__ import annotations

import os

# Before any import of great_expectations, by us or by anything we call.
os.environ["GX_ANALYTICS_ENABLED"] = "false"

from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:  # pragma: no cover
    from great_expectations.data_context import EphemeralDataContext

DOCS_SITE = "litmine_docs"


def ephemeral_context(docs_dir: Path) -> "EphemeralDataContext":
    """An in-memory GX context with one filesystem Data Docs site at `docs_dir`."""
    from pipeline.validate.gx_import import import_gx

    gx = import_gx()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        data_docs_sites={
            DOCS_SITE: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(Path(docs_dir).resolve()),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    # mode="ephemeral" keeps get_context from looking for (or creating) a gx/ folder upwards
    # of the working directory.
    return gx.get_context(project_config=config, mode="ephemeral")
