"""Great Expectations imported for a night's validation leaves scipy.stats and altair unloaded,
and an expectation that needs them still gets them and judges exactly as with a plain import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter each: the test process may have imported GX already.
SCRIPT = """
import json, sys
if sys.argv[1] == "lean":
    from pipeline.validate.gx_import import import_gx
    gx = import_gx()
else:
    import great_expectations as gx
loaded = {name: name in sys.modules for name in ("scipy.stats._stats_py", "altair.vegalite")}
import pandas as pd
from pipeline.validate.gx_context import ephemeral_context
batch = ephemeral_context(sys.argv[2]).data_sources.add_pandas("p").add_dataframe_asset("a") \\
    .add_batch_definition_whole_dataframe("b") \\
    .get_batch(batch_parameters={"dataframe": pd.DataFrame({"x": [0.2, 0.4, 0.6, 1.5, 1.7, 1.1]})})
# KL divergence: the one core expectation that computes with scipy.stats.
result = batch.validate(gx.expectations.ExpectColumnKLDivergenceToBeLessThan(
    column="x", partition_object={"bins": [0, 1, 2], "weights": [0.3, 0.7]}, threshold=0.1))
print(json.dumps({"loaded at import": loaded, "success": result.success,
                  "observed": result.result.get("observed_value")}))
"""


def run(mode: str, docs: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT, mode, str(docs)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_lean_import_defers_scipy_and_altair_and_judges_as_a_plain_import(tmp_path):
    lean, plain = run("lean", tmp_path / "lean"), run("plain", tmp_path / "plain")
    assert lean["loaded at import"] == {"scipy.stats._stats_py": False, "altair.vegalite": False}
    assert plain["loaded at import"]["scipy.stats._stats_py"]     # what the lean import saves
    assert lean["observed"] == plain["observed"] and lean["observed"] > 0
    assert lean["success"] == plain["success"]
