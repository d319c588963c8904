"""Great Expectations imported without loading the modules only rare expectations use.

What: `import_gx()` imports and returns `great_expectations`. While it does, `scipy.stats` and
`altair` (with everything they import: jsonschema, narwhals, numpy.testing, ...) are created
by Python's `importlib.util.LazyLoader`: they are the real modules, executed in full the first
time anything reads one of their attributes. A module some earlier import already loaded is
left as it is.

Why: GX 1.x imports every core expectation when it is imported, and one of them,
expect_column_kl_divergence_to_be_less_than, imports scipy.stats and altair at module level for
its statistics and its charts (as do two KS-test metrics for scipy.stats). That is about a third
of GX's import time (~1.3 s of ~4 s on this machine), paid by every validate task, while no
suite of ours uses those expectations. GX still validates every suite exactly as before: GX's
own code and every expectation are imported as usual, and a suite that one day uses a KL or KS
expectation loads scipy.stats the moment the expectation reads it. Only these two names are
deferred, because GX touches them nowhere but inside those expectations' functions (checked in
GX 1.24's source: `stats.` and `alt.` appear only in function bodies).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
from types import ModuleType

from pipeline.validate import gx_context  # noqa: F401  (sets GX_ANALYTICS_ENABLED first)

DEFERRED = ("scipy.stats", "altair")
_lock = threading.Lock()


class _DeferredFinder(importlib.abc.MetaPathFinder):
    """Finds the DEFERRED modules where the path finder would, and loads them lazily."""

    def find_spec(self, name, path, target=None):
        if name not in DEFERRED:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is None or not hasattr(spec.loader, "exec_module"):
            return None
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def import_gx() -> ModuleType:
    """`great_expectations`, imported (once) with DEFERRED loaded on first use."""
    with _lock:     # a second caller waits for the first import to finish
        if "great_expectations" not in sys.modules:
            finder = _DeferredFinder()
            sys.meta_path.insert(0, finder)
            try:
                import great_expectations  # noqa: F401
            finally:
                sys.meta_path.remove(finder)
    import great_expectations

    return great_expectations
