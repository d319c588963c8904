"""Validation and publishing at 1k, 10k and 100k extraction rows: first, quiet night, 1 % new.

What: for each size, builds a synthetic warehouse straight in SQL (articles with abstracts and
raw XML payloads, extractions, evidence, a few implausible values that get flagged), then runs
each step in its own child process and prints wall time and peak resident memory (the child's
VmHWM: a fresh interpreter, so the figure is the step's own, imports included):

    validate full      the first validation (every row)
    publish first      snapshot, Parquet, CSV/XLSX/RIS and report from nothing
    validate quiet     a night that loaded nothing
    publish quiet      ... and its publish
    validate 1% new    a night that loaded 1 % new records
    publish 1% new     ... and its publish

Targets (issue 12): quiet validate + publish on 100k within a few seconds, a 1 %-new night
≤ 3 % of the first load, peak memory ≤ 2 GiB. Not run by CI.

    .venv/bin/python benchmarks/validate_publish_bench.py [--sizes 1000,10000,100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Run inside the child: one step, then its wall time and VmHWM as JSON on the last line.
STEP = """
import json, sys, time
sys.path[:0] = [{root!r}, {root!r} + "/benchmarks"]
started = time.perf_counter()
from validate_publish_bench import run_step
detail = run_step({step!r}, {warehouse!r})
wall = time.perf_counter() - started
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({{"wall": wall, "peak_kib": peak, "detail": detail}}))
"""

DESIGNS = ["rct", "case_series", "prospective_observational", "retrospective_observational",
           "case_report", "systematic_review", "protocol", "nonrandomized_trial"]
ABSTRACT = ("Background: Cryoneurolysis of peripheral nerves is used for chronic pain. Methods: "
            "patients with knee osteoarthritis were treated with ultrasound-guided cryoneurolysis "
            "of the genicular nerves and followed for pain and function. Results: pain scores "
            "improved at every follow-up visit and no serious adverse events were reported. ")


def settings_for(warehouse: Path):
    from pipeline.config import Settings
    return Settings.from_env({"LITMINE_WAREHOUSE": str(warehouse)})


def add_records(con, start: int, count: int, run_id: str, first_year: int = 1995,
                years: int = 31) -> None:
    """`count` synthetic records from id `start`: raw payload, article, extraction, evidence,
    published over `years` years from `first_year` (a night's new records are recent ones)."""
    con.execute("SET VARIABLE designs = ?", [DESIGNS])
    rows = f"FROM range({start}, {start + count}) t(i)"
    con.execute(f"""INSERT INTO raw.records
        SELECT 'pubmed', i::VARCHAR, md5(i::VARCHAR), 'application/xml',
               '<PubmedArticle><PMID>' || i || '</PMID><Abstract>' || repeat(?, 3)
               || '</Abstract></PubmedArticle>', now(), ? {rows}""", [ABSTRACT, run_id])
    con.execute(f"""INSERT INTO core.articles (article_id, version, is_current, source, source_id,
            pmid, doi, title, abstract, journal, year, language, first_author, authors,
            publication_types, mesh_terms, abstract_sections, entrez_date, article_hash,
            raw_hash, run_id, loaded_at)
        SELECT 'pmid:' || i, 1, true, 'pubmed', i::VARCHAR, i::VARCHAR, '10.5555/' || i,
               'Cryoneurolysis of the genicular nerves for knee pain, cohort ' || i,
               ? || i, 'Pain Medicine', {first_year} + i % {years}, 'eng',
               'Author' || (i % 997) || ' J',
               ['Author' || (i % 997) || ' J', 'Second A'], ['Journal Article'], ['Cryosurgery'],
               '[]', DATE '2024-01-01' + (i % 365)::INTEGER, md5('a' || i), md5(i::VARCHAR), ?,
               now() {rows}""", [ABSTRACT, run_id])
    # One row in 200 has an implausible sample size: the curators' flags.
    con.execute(f"""INSERT INTO core.extractions (article_id, article_version, extractor_version,
            relevant, design, sample_size, targets, target_groups, guidance, follow_up_days,
            outcome_text, responder_pct, responder_threshold_pct, mean_change, outcome_scale,
            outcome_direction, indication, adverse_events, flags, run_id, extracted_at)
        SELECT 'pmid:' || i, 1, 'bench-1', i % 4 <> 0,
               getvariable('designs')[1 + i % 8], CASE WHEN i % 200 = 7 THEN 0 ELSE 10 + i % 190 END,
               ['genicular nerves'], ['knee'], ['ultrasound'], 30 + i % 700,
               'pain improved at 3 months', 40 + i % 50, 50, -2.5, 'NRS', 'improved',
               'knee osteoarthritis', 'none serious', '[]', ?, now() {rows}""", [run_id])
    con.execute(f"""INSERT INTO core.evidence
        SELECT 'pmid:' || i, 1, 'bench-1', f, 0, 'forty patients', 10, 24, 'rule.' || f, 0.9
        FROM range({start}, {start + count}) t(i),
             (VALUES ('design'), ('sample_size'), ('follow_up_days')) v(f)""")
    con.execute("""INSERT INTO ops.runs (run_id, source, query, started_at, finished_at, status,
                       fetched, new) VALUES (?, 'pubmed', 'cryoneurolysis', now(), now(),
                       'succeeded', ?, ?)""", [run_id, count, count])


def build(warehouse: Path, size: int) -> None:
    from pipeline.warehouse import db
    con = db.connect(settings_for(warehouse))
    try:
        add_records(con, 0, size, "bench-first")
    finally:
        con.close()


def run_step(step: str, warehouse: str) -> dict:
    """One measured step on the warehouse file (called in the child process)."""
    from pipeline import nightly
    from pipeline.warehouse import db
    settings = settings_for(Path(warehouse))
    if step.startswith("validate"):
        report = nightly.validate(settings, f"bench-{step.replace(' ', '-')}-{time.time_ns()}")
        return {s.name: [s.mode, s.evaluated, s.table_rows] for s in report.suites}
    if step.startswith("publish"):
        nightly.publish(settings)
        return {}
    if step == "load 1% new":
        con = db.connect(settings)
        try:
            (n,) = con.execute("SELECT count(*) FROM core.articles").fetchone()
            add_records(con, n, max(1, n // 100), f"bench-night-{time.time_ns()}",
                        first_year=2025, years=2)
        finally:
            con.close()
        return {}
    raise ValueError(step)


def measure(step: str, warehouse: Path) -> dict:
    code = STEP.format(root=str(ROOT), step=step, warehouse=str(warehouse))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{step} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


STEPS = ["validate full", "publish first", "validate quiet", "publish quiet", "load 1% new",
         "validate 1% new", "publish 1% new"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--keep", type=Path, help="build the warehouses here and keep them")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="litmine-vpbench-"))
    table = []
    try:
        for size in [int(s) for s in args.sizes.split(",")]:
            warehouse = root / str(size) / "litmine.duckdb"
            warehouse.parent.mkdir(parents=True, exist_ok=True)
            started = time.perf_counter()
            build(warehouse, size)
            print(f"{size}: built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            for step in STEPS:
                figures = measure(step, warehouse)
                table.append((size, step, figures["wall"], figures["peak_kib"], figures["detail"]))
                print(f"{size:>7} {step:<16} {figures['wall']:7.2f} s "
                      f"{figures['peak_kib'] / 1024:7.0f} MiB {figures['detail'] or ''}",
                      file=sys.stderr)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(report(table))
    return 0


def report(table: list[tuple]) -> str:
    lines = [f"{'rows':>7}  {'step':<16} {'wall s':>8} {'peak MiB':>9}  detail"]
    for size, step, wall, peak, detail in table:
        shown = ", ".join(f"{k}: {v[1]}/{v[2]} {v[0]}" for k, v in detail.items()) if detail else ""
        lines.append(f"{size:>7}  {step:<16} {wall:8.2f} {peak / 1024:9.0f}  {shown}")
    by = {(size, step): wall for size, step, wall, _, _ in table}
    for size in sorted({s for s, *_ in table}):
        quiet = by[(size, "validate quiet")] + by[(size, "publish quiet")]
        first = by[(size, "validate full")] + by[(size, "publish first")]
        night = by[(size, "validate 1% new")] + by[(size, "publish 1% new")]
        lines.append(f"{size:>7}  quiet night validate+publish {quiet:.2f} s; 1 % night "
                     f"{night:.2f} s = {100 * night / first:.0f} % of first validate+publish")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
