"""Scale: 1k, 10k and 100k records through the mirror end to end, then a quiet night and a night
with 1 % new records on each warehouse. Not run by CI.

For each size, a synthetic corpus (`benchmarks/synthetic.py`: varied structured abstracts, 1 in
50 records a preprint) is served by the mirror, and three runs go through the stages as the
nightly job calls them (`pipeline.nightly`: harvest, extract, load, validate, publish):

    first load    no watermark: everything since LITMINE_HARVEST_START (harvested in slices)
    quiet night   the next day, on which nothing new appeared
    1% new        the day after, with 1 % new records (PubMed and preprints)

Each stage runs in its own process, harvesting at NCBI's rate with an API key (10 requests/s),
and reports its peak resident memory (VmHWM of the stage process, and of its largest extraction
worker). Printed per stage: wall time and peak memory; per run: total wall time, warehouse size
and records; and the ratio of the 1 %-new night to the first load. On a shared machine the
figures carry the other processes' contention: note it with the figures.

    .venv/bin/python benchmarks/scale_bench.py [--sizes 1000,10000,100000] [--workers 2]
        [--dir DIR] [--days 2000] [--night-again [--profile]]

With --dir, the warehouse as it stood before the 1 %-new night is kept (`DIR/nSIZE/before-night`);
`--night-again` then runs only that night again from it, for profiling the incremental path
without paying the first load each time; with `--profile`, each stage of it writes a cProfile
file, `DIR/nSIZE/profile-<stage>.prof` (`python -m pstats` reads it).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from pipeline.config import ENV  # noqa: E402
from synthetic import spread, write_scale_corpus  # noqa: E402

STAGES = ("harvest", "extract", "load", "validate", "publish")
LAST_DAY = date(2025, 6, 30)      # the first load's last entrez day
# One stage of the nightly job in this process; at exit, its peak memory and its workers'.
STAGE = """
import atexit, json, os, resource, sys
from datetime import date
workers = int(os.environ.get("BENCH_WORKERS") or 0)
if workers:
    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:workers])
def peak():
    own = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    sys.stderr.write("\\nbench-peak " + json.dumps({"own_kib": own, "worker_kib": child}) + "\\n")
atexit.register(peak)
if os.environ.get("BENCH_PROFILE"):
    import cProfile
    profile = cProfile.Profile()
    profile.enable()
    atexit.register(lambda: profile.dump_stats(os.environ["BENCH_PROFILE"] + "-" + sys.argv[1] + ".prof"))
from pipeline import nightly
from pipeline.config import Settings
stage, run_id, until = sys.argv[1], sys.argv[2], date.fromisoformat(sys.argv[3])
settings = Settings.from_env()
if stage == "harvest":
    errors = nightly.harvest_all(settings, None, until)
    assert not errors, errors
elif stage == "extract":
    nightly.stage_reextraction(settings)
    nightly.extract_staged(settings)
elif stage == "load":
    summary = nightly.load_staged(settings, run_id)
    assert not summary.failed, summary.failed
elif stage == "validate":
    nightly.validate(settings, run_id)
elif stage == "publish":
    nightly.publish(settings)
"""


@dataclass
class StageResult:
    seconds: float
    own_mib: float
    worker_mib: float
    ok: bool
    error: str = ""


@dataclass
class RunResult:
    size: int
    name: str
    stages: dict[str, StageResult] = field(default_factory=dict)
    warehouse_mib: float = 0.0
    articles: int = 0
    slices: int = 0

    @property
    def seconds(self) -> float:
        return sum(s.seconds for s in self.stages.values())

    @property
    def peak_mib(self) -> float:
        return max((max(s.own_mib, s.worker_mib) for s in self.stages.values()), default=0.0)


def corpus_for(root: Path, size: int, days: int) -> Path:
    """`size` PubMed records over `days` days up to LAST_DAY, size/50 preprints; nothing on the
    quiet night's day; 1 % new records (and preprints) on the day after."""
    first = LAST_DAY - timedelta(days=days - 1)
    preprints = max(1, size // 50)
    new_day = LAST_DAY + timedelta(days=2)
    pubmed = spread(size, first, days) + [(size + k, new_day) for k in range(max(1, size // 100))]
    ppr = spread(preprints, first, days) + [(preprints + k, new_day)
                                            for k in range(max(1, preprints // 100))]
    return write_scale_corpus(root, pubmed, ppr)


def run_stage(stage: str, env: dict, run_id: str, until: date) -> StageResult:
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-c", STAGE, stage, run_id, until.isoformat()],
                                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, text=True)
        worker_kib = 0
        while proc.poll() is None:    # extraction workers may be a fork server's children, which
            worker_kib = max(worker_kib, _descendants_peak_kib(proc.pid))   # rusage never sees
            if time.monotonic() - started > 6 * 3600:
                proc.kill()
            time.sleep(0.2)
        seconds = time.monotonic() - started
        err.seek(0)
        stderr = err.read()
    peaks = [json.loads(line.split(" ", 1)[1]) for line in stderr.splitlines()
             if line.startswith("bench-peak ")]
    peak = peaks[-1] if peaks else {"own_kib": 0, "worker_kib": 0}
    error = "" if proc.returncode == 0 else (stderr.strip().splitlines() or ["killed"])[-1][:300]
    return StageResult(seconds, peak["own_kib"] / 1024, max(peak["worker_kib"], worker_kib) / 1024,
                       proc.returncode == 0, error)


def _descendants_peak_kib(root_pid: int) -> int:
    """The largest VmHWM among `root_pid`'s descendants (not itself) right now."""
    parents, peaks = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(entry.name)] = int(fields.get("PPid", "0").strip() or 0)
        peaks[int(entry.name)] = int((fields.get("VmHWM") or "0 kB").split()[0])
    best = 0
    for pid in parents:
        ancestor = parents[pid]
        while ancestor and ancestor != root_pid:
            ancestor = parents.get(ancestor, 0)
        if ancestor == root_pid:
            best = max(best, peaks.get(pid, 0))
    return best


def warehouse_figures(warehouse: Path, run_id: str) -> tuple[float, int, int]:
    import duckdb

    size = sum(p.stat().st_size for p in warehouse.parent.glob(warehouse.name + "*") if p.is_file())
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        articles = con.execute("SELECT count(*) FROM core.articles_current").fetchone()[0]
        slices = con.execute("SELECT count(*) FROM ops.loaded_windows WHERE run_id = ?",
                             [run_id]).fetchone()[0]
    finally:
        con.close()
    return size / 2**20, articles, slices


def bench_size(root: Path, size: int, days: int, workers: int, night_again: bool = False,
               profile: bool = False, log=print) -> list[RunResult]:
    from pipeline.mirror.server import MirrorServer

    t0 = time.monotonic()
    corpus = corpus_for(root / "corpus", size, days)
    log(f"[{size}] corpus written in {time.monotonic() - t0:.0f}s")
    warehouse = root / "warehouse" / "litmine.duckdb"
    kept = root / "before-night"
    runs = ((0, "first load"), (1, "quiet night"), (2, "1% new"))
    if night_again and not kept.is_dir():
        raise SystemExit(f"{kept} is missing: run once with --dir first")
    # a first load into an empty warehouse, whatever an earlier run left
    shutil.rmtree(warehouse.parent, ignore_errors=True)
    if night_again:
        shutil.copytree(kept, warehouse.parent)
        runs = runs[2:]
    results = []
    t0 = time.monotonic()
    with MirrorServer(corpus) as mirror:
        # The corpus is millions of long-lived objects: frozen out of the collector's sweeps, so
        # the mirror's answers are not slowed by this process's garbage collection.
        gc.collect()
        gc.freeze()
        log(f"[{size}] mirror serving {len(mirror.state.corpus.pubmed)} PubMed records and "
            f"{len(mirror.state.corpus.europepmc)} preprints (loaded in {time.monotonic() - t0:.0f}s)")
        env = dict(os.environ, **{
            ENV["warehouse"]: str(warehouse), ENV["harvest_start"]: "1970-01-01",
            ENV["pubmed_url"]: f"{mirror.base_url}/entrez/eutils/",
            ENV["europepmc_url"]: f"{mirror.base_url}/europepmc/webservices/rest/",
            ENV["ncbi_api_key"]: "scale-bench", ENV["http_backoff"]: "0.1",
            "BENCH_WORKERS": str(workers or ""),
            "BENCH_PROFILE": str(root / "profile") if profile else "",
        })
        for offset, name in runs:
            if offset == 2 and not night_again:
                shutil.rmtree(kept, ignore_errors=True)
                shutil.copytree(warehouse.parent, kept)
            run = RunResult(size, name)
            run_id = f"bench-{size}-{offset}"
            for stage in STAGES:
                run.stages[stage] = run_stage(stage, env, run_id, LAST_DAY + timedelta(days=offset))
                s = run.stages[stage]
                log(f"[{size}] {name:11} {stage:8} {s.seconds:7.1f}s  {s.own_mib:6.0f} MiB "
                    f"(workers {s.worker_mib:4.0f})" + ("" if s.ok else f"  FAILED: {s.error}"))
            run.warehouse_mib, run.articles, run.slices = warehouse_figures(warehouse, run_id)
            results.append(run)
    return results


def report(results: list[RunResult], workers: int) -> str:
    lines = [f"\nscale benchmark ({workers or 'all'} worker core(s)); seconds per stage, peak "
             f"MiB = largest process of the run (stage process or extraction worker)",
             f"{'records':>8} {'run':11} " + " ".join(f"{s:>8}" for s in STAGES)
             + f" {'total s':>8} {'peak MiB':>8} {'wh MiB':>7} {'articles':>8} {'slices':>6}"]
    for r in results:
        failed = [s for s, v in r.stages.items() if not v.ok]
        lines.append(f"{r.size:>8} {r.name:11} "
                     + " ".join(f"{r.stages[s].seconds:8.1f}" for s in STAGES)
                     + f" {r.seconds:8.1f} {r.peak_mib:8.0f} {r.warehouse_mib:7.1f} "
                       f"{r.articles:>8} {r.slices:>6}" + (f"  failed: {failed}" if failed else ""))
    for size in sorted({r.size for r in results}):
        runs = {r.name: r for r in results if r.size == size}
        if "first load" in runs and "1% new" in runs:
            first, quiet, new = (runs[n].seconds for n in ("first load", "quiet night", "1% new"))
            # a night = what every night costs (the quiet one) + what its new records cost
            lines.append(f"{size:>8}: night with 1% new / first load = {new / first:.1%}; quiet "
                         f"night {quiet:.1f}s ({quiet / first:.1%}); the new records' share "
                         f"{new - quiet:.1f}s ({(new - quiet) / first:.1%})")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="comma-separated PubMed record counts (default 1000,10000,100000)")
    parser.add_argument("--workers", type=int, default=0,
                        help="cores each stage may use (default: all)")
    parser.add_argument("--days", type=int, default=2000,
                        help="entrez days the first load's records are spread over")
    parser.add_argument("--dir", type=Path, help="work folder (default: a temporary one, removed)")
    parser.add_argument("--night-again", action="store_true",
                        help="with --dir: run only the 1%% new night again, from the kept warehouse")
    parser.add_argument("--profile", action="store_true",
                        help="with --night-again: a cProfile file per stage, in the size's folder")
    args = parser.parse_args()
    if args.night_again and not args.dir:
        parser.error("--night-again needs --dir")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    base = args.dir or Path(tempfile.mkdtemp(prefix="litmine-scale-"))
    results = []
    try:
        for size in sizes:
            results += bench_size(base / f"n{size}", size, args.days, args.workers, args.night_again,
                              args.profile)
            print(report(results, args.workers), flush=True)
    finally:
        if not args.dir:
            shutil.rmtree(base, ignore_errors=True)
    return 0 if all(s.ok for r in results for s in r.stages.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
