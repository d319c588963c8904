"""The CLI, each DAG file and `parse-pdf` import only what they use: the dag processor parses the
DAG files every few seconds, and `litmine --help` or `parse-pdf` should not pay for the warehouse,
the HTTP clients or spaCy."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pipeline.config import PROJECT_ROOT

HEAVY = ("spacy", "scispacy", "great_expectations", "pdfplumber", "pdfminer", "duckdb", "pandas",
         "Bio")
# Run in a fresh interpreter; print which heavy modules the code loaded.
PROBE = """
import atexit, json, runpy, sys
heavy = {heavy!r}
def report():
    sys.stderr.write("\\nloaded-modules " + json.dumps(sorted(m for m in heavy if m in sys.modules)) + "\\n")
atexit.register(report)
{body}
"""


def loaded_by(body: str, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    result = subprocess.run([sys.executable, "-c", PROBE.format(heavy=heavy, body=body)],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    lines = [line for line in result.stderr.splitlines() if line.startswith("loaded-modules ")]
    assert lines, result.stderr[-2000:]
    return json.loads(lines[-1].split(" ", 1)[1])


@pytest.mark.parametrize("dag_file", sorted(p.stem for p in (PROJECT_ROOT / "dags").glob("*.py")))
def test_parsing_a_dag_file_loads_no_heavy_module(dag_file):
    assert loaded_by(f"import dags.{dag_file}") == []


def test_the_cli_and_its_help_load_no_heavy_module():
    assert loaded_by("""
sys.argv = ["litmine", "--help"]
try:
    runpy.run_module("pipeline.cli", run_name="__main__")
except SystemExit:
    pass
""") == []


def test_parse_pdf_loads_neither_spacy_nor_the_warehouse(tmp_path):
    pdf = next((PROJECT_ROOT / "tests" / "fixtures" / "pdfs_public").glob("*.pdf"))
    out = tmp_path / "parsed.json"
    loaded = loaded_by(f"""
sys.argv = ["litmine", "parse-pdf", {str(pdf)!r}, "--output", {str(out)!r}]
try:
    runpy.run_module("pipeline.cli", run_name="__main__")
except SystemExit as exc:
    assert not exc.code, exc.code
""")
    assert json.loads(out.read_text())["sections"]     # it did parse the PDF
    assert "pdfplumber" in loaded or "pdfminer" in loaded
    assert not {"spacy", "scispacy", "duckdb", "great_expectations", "pandas"} & set(loaded)


def test_the_nightly_stages_module_loads_only_the_warehouse():
    # every stage's task imports it: the load, validate and publish tasks never reach a source
    # (Airflow's task SDK brings its own HTTP client, so it is checked here, not for DAG files)
    assert loaded_by("from pipeline import nightly", HEAVY + ("httpx",)) == ["duckdb"]


def test_a_night_with_nothing_to_extract_loads_no_spacy():
    # the extractor's version is all a quiet night's extract stage reads
    loaded = loaded_by("""
from pipeline import nightly
from pipeline.extract import EXTRACTOR_VERSION
assert nightly.extract_batches([], None) == 0
""")
    assert "spacy" not in loaded and "scispacy" not in loaded
