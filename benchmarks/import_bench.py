"""Import cost of the CLI, the DAG files and `parse-pdf`: wall time per command and which heavy
modules each loads. Not run by CI (tests/test_imports.py checks the modules).

Each command runs in a fresh interpreter, `--repeat` times; the median wall time is printed.
"DAG parse" times the DAG file alone with `airflow.sdk` already imported, as in Airflow's dag
processor, which imports Airflow once and parses the DAG files over and over; "cold" includes
importing Airflow. The costliest modules of the package's own imports come from
`python -X importtime` (cumulative microseconds).

    .venv/bin/python benchmarks/import_bench.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("spacy", "great_expectations", "pdfplumber", "duckdb", "Bio", "httpx", "pandas")
PDF = next((ROOT / "tests" / "fixtures" / "pdfs_public").glob("*.pdf"))
PROBE = """
import atexit, json, runpy, sys, time
t0 = time.perf_counter()
{setup}
t1 = time.perf_counter()
def report():
    sys.stderr.write("\\nbench " + json.dumps({{"seconds": time.perf_counter() - t1,
        "heavy": [m for m in {heavy!r} if m in sys.modules]}}) + "\\n")
atexit.register(report)
{body}
"""
CLI = """
sys.argv = ["litmine"] + {args!r}
try:
    runpy.run_module("pipeline.cli", run_name="__main__")
except SystemExit:
    pass
"""


def cases(out: Path) -> list[tuple[str, str, str]]:
    """(name, setup not timed, timed body)."""
    return [
        ("litmine --help", "", CLI.format(args=["--help"])),
        ("litmine parse-pdf", "", CLI.format(args=["parse-pdf", str(PDF), "--output", str(out)])),
        ("DAG parse litmine_nightly", "import airflow.sdk", "import dags.litmine_nightly"),
        ("DAG parse litmine_backfill", "import airflow.sdk", "import dags.litmine_backfill"),
        ("cold import dags.litmine_nightly", "", "import dags.litmine_nightly"),
    ]


def measure(setup: str, body: str) -> dict:
    code = PROBE.format(setup=setup, body=body, heavy=HEAVY)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    line = [x for x in result.stderr.splitlines() if x.startswith("bench ")][-1]
    return json.loads(line[len("bench "):])


def costliest(module: str, top: int = 6) -> list[tuple[str, int]]:
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    rows = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|")
            if name.strip().startswith(("pipeline", "dags")) and cumulative.strip().isdigit():
                rows.append((name.strip(), int(cumulative)))
    return sorted(rows, key=lambda r: -r[1])[:top]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'command':34} {'median s':>9} {'min s':>7}  heavy modules loaded")
        for name, setup, body in cases(Path(tmp) / "parsed.json"):
            runs = [measure(setup, body) for _ in range(args.repeat)]
            seconds = [r["seconds"] for r in runs]
            print(f"{name:34} {statistics.median(seconds):9.2f} {min(seconds):7.2f}  "
                  f"{', '.join(runs[-1]['heavy']) or '-'}")
    for module in ("pipeline.cli", "dags.litmine_nightly"):
        print(f"\ncostliest of the package's imports under `import {module}` (cumulative ms):")
        for name, micros in costliest(module):
            print(f"  {micros / 1000:8.1f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
