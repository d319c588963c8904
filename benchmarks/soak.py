"""Soak: many nights of `litmine run` against a mirror with seeded random faults, while readers
hit the curation UI and the published snapshot. Not run by CI (tests/test_soak.py runs a few
nights over a few hundred records).

Each night is a real `litmine run --until DAY` in its own process, one entrez day further than
the night before, with a fresh random fault plan on the mirror (rate limits with odd
Retry-After values, backend errors, expired history, short efetch answers, broken transfers,
and now and then a source down all night). The last night has no faults, so everything counted
must be in by the end. Printed: records lost (counted by the mirror up to the last night but
neither loaded nor quarantined), duplicated (extra article versions or raw rows of unchanged
records), nights failed by readers (a night that failed because a reader held the warehouse),
reader errors, wall time and peak memory (largest `litmine run` process, and this process).

    .venv/bin/python benchmarks/soak.py [--nights 50] [--records 20000] [--seed 7]
"""

from __future__ import annotations

import argparse
import email.utils
import http.client
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402

from pipeline.config import ENV, Settings  # noqa: E402
from pipeline.mirror.faults import Fault  # noqa: E402
from pipeline.mirror.server import MirrorServer  # noqa: E402
from tests.factories import write_corpus  # noqa: E402

START = date(2024, 1, 1)
# `litmine run`, reporting its own peak resident memory at exit. A forked child inherits the
# parent's high-water mark in getrusage(), so the child reads its own VmHWM (reset by exec).
LAUNCH = """
import atexit, runpy, sys
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("\\nsoak-peak-kib %s\\n" % line.split()[1])
atexit.register(peak)
sys.argv = ["litmine"] + sys.argv[1:]
runpy.run_module("pipeline.cli", run_name="__main__", alter_sys=True)
"""
READER_BUSY = ("is open in", "Could not set lock", "Conflicting lock")


def fault_plan(rng: random.Random) -> list[Fault]:
    """A night's faults: a few transient ones, and now and then a source down all night."""
    later = email.utils.formatdate(time.time() + 1, usegmt=True)
    menu = [
        Fault("efetch", "429", retry_after="soon"), Fault("esearch", "429", retry_after=later),
        Fault("efetch", "429", retry_after=86400), Fault("efetch", "503", times=2),
        Fault("esearch", "backend_error"), Fault("efetch", "backend_error"),
        Fault("efetch", "history_expired"), Fault("efetch", "short"), Fault("efetch", "truncate"),
        Fault("efetch", "truncate_body"), Fault("europepmc", "502", times=2),
        Fault("europepmc", "truncate"), Fault("europepmc", "429", retry_after="soon"),
        Fault("efetch", "trickle", stall_seconds=8),
    ]
    plan = rng.sample(menu, rng.randint(0, 3))
    roll = rng.random()
    if roll < 0.06:
        plan.append(Fault("efetch", "503", times=100000))
    elif roll < 0.10:
        plan.append(Fault("europepmc", "503", times=100000))
    elif roll < 0.14:
        plan.append(Fault("efetch", "short", times=100000))
    return plan


@dataclass
class Readers:
    """Loops that read while the nights run: the published snapshot and the curation UI."""

    published: Path
    ui_url: str | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    snapshot_reads: int = 0
    snapshot_errors: list[str] = field(default_factory=list)
    ui_reads: int = 0
    ui_errors: list[str] = field(default_factory=list)

    def snapshot_loop(self) -> None:
        while not self.stop.wait(0.05):
            if not self.published.exists():
                continue
            try:
                con = duckdb.connect(str(self.published), read_only=True)
                try:
                    con.execute("SELECT count(*) FROM core.articles_current").fetchone()
                finally:
                    con.close()
                self.snapshot_reads += 1
            except Exception as exc:
                self.snapshot_errors.append(str(exc)[:200])

    def ui_loop(self) -> None:
        host, port = self.ui_url.removeprefix("http://").split(":")
        while not self.stop.wait(0.1):
            try:
                con = http.client.HTTPConnection(host, int(port), timeout=10)
                con.request("GET", "/", headers={"Cookie": "litmine_curator=soak",
                                                 "Host": f"{host}:{port}"})
                status = con.getresponse().status
                con.close()
                self.ui_reads += 1
                if status >= 500:
                    self.ui_errors.append(f"HTTP {status}")
            except Exception as exc:
                self.ui_errors.append(str(exc)[:200])

    def start(self) -> list[threading.Thread]:
        loops = [self.snapshot_loop] + ([self.ui_loop] if self.ui_url else [])
        threads = [threading.Thread(target=loop, daemon=True) for loop in loops]
        for thread in threads:
            thread.start()
        return threads


def counts(warehouse: Path, last_day: date, corpus) -> dict:
    expected = {("pubmed", pmid) for pmid, e in corpus.pubmed.items() if e.entrez_date <= last_day.isoformat()}
    expected |= {("europepmc", e.result["id"]) for e in corpus.europepmc
                 if e.result.get("firstIndexDate", "") <= last_day.isoformat()}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        loaded = set(con.execute("SELECT source, source_id FROM core.articles_current").fetchall())
        quarantined = set(con.execute("""SELECT source, source_id FROM ops.quarantine
                                         WHERE source_id IS NOT NULL""").fetchall())
        versions, works = con.execute("SELECT count(*), count(DISTINCT article_id) FROM core.articles").fetchone()
        raws, distinct_raws = con.execute("""SELECT count(*), count(DISTINCT (source, source_id))
                                             FROM raw.records""").fetchone()
        failed = con.execute("""SELECT run_id, source, error FROM ops.runs
                                WHERE status = 'failed' ORDER BY run_id""").fetchall()
    finally:
        con.close()
    return {"expected": len(expected), "loaded": len(loaded & expected),
            "quarantined": len((quarantined - loaded) & expected),
            "lost": len(expected - loaded - quarantined),
            "duplicated": (versions - works) + (raws - distinct_raws), "failed_rows": failed}


def soak(root: Path, nights: int = 50, records: int = 20000, seed: int = 7, ui: bool = True,
         log=print) -> dict:
    import logging

    logging.getLogger("pipeline.curate.web").setLevel(logging.ERROR)  # its 503s are counted below
    rng = random.Random(seed)
    per_day = math.ceil(records / nights)
    corpus_dir = write_corpus(root / "corpus", pubmed=records, preprints=max(1, records // 50),
                              start=START, per_day=per_day)
    warehouse = root / "warehouse" / "litmine.duckdb"
    settings = Settings(warehouse=warehouse, staging_dir=warehouse.parent / "staging",
                        published=warehouse.parent / "published" / "litmine.duckdb",
                        docs_dir=warehouse.parent / "docs")
    started = time.monotonic()
    nights_failed, failed_by_readers, peak_child, faults_planned = [], [], 0, 0
    with MirrorServer(corpus_dir) as mirror:
        env = dict(os.environ, **{
            ENV["warehouse"]: str(warehouse), ENV["harvest_start"]: START.isoformat(),
            ENV["pubmed_url"]: f"{mirror.base_url}/entrez/eutils/",
            ENV["europepmc_url"]: f"{mirror.base_url}/europepmc/webservices/rest/",
            ENV["http_timeout"]: "5", ENV["http_retries"]: "4", ENV["http_backoff"]: "0.05",
            ENV["http_max_wait"]: "2", ENV["ncbi_api_key"]: "soak",
        })
        readers = Readers(settings.published)
        ui_server = None
        if ui:
            from pipeline.curate.server import CurationServer

            ui_server = CurationServer(settings).__enter__()
            readers.ui_url = ui_server.url
        threads = readers.start()
        try:
            for night in range(1, nights + 1):
                day = START + timedelta(days=night - 1)
                plan = fault_plan(rng) if night < nights else []
                faults_planned += len(plan)
                mirror.set_faults(plan)
                t0 = time.monotonic()
                result = subprocess.run([sys.executable, "-c", LAUNCH, "run", "--until",
                                         day.isoformat()], env=env, capture_output=True, text=True,
                                        timeout=1800)
                peak_child = max([peak_child] + [int(line.split()[1]) for line in
                                                 result.stderr.splitlines()
                                                 if line.startswith("soak-peak-kib")])
                faults = ",".join(f"{f.endpoint}:{f.kind}" for f in plan) or "-"
                log(f"night {night:>2} until {day}: exit {result.returncode} in "
                    f"{time.monotonic() - t0:5.1f}s  faults {faults}")
                if result.returncode:
                    nights_failed.append(night)
                    if any(marker in result.stderr for marker in READER_BUSY):
                        failed_by_readers.append(night)
                    log("    " + " | ".join(line for line in result.stderr.splitlines()
                                            if line.startswith("error"))[:400])
        finally:
            readers.stop.set()
            for thread in threads:
                thread.join(15)
            if ui_server:
                ui_server.__exit__(None, None, None)
        figures = counts(warehouse, START + timedelta(days=nights - 1), mirror.state.corpus)
    figures.update(
        nights=nights, records=records, seed=seed, nights_failed=nights_failed,
        faults_planned=faults_planned,
        failed_by_readers=len(failed_by_readers), wall_seconds=time.monotonic() - started,
        peak_run_mib=peak_child / 1024,
        peak_self_mib=_own_peak_kib() / 1024,
        snapshot_reads=readers.snapshot_reads, snapshot_errors=len(readers.snapshot_errors),
        ui_reads=readers.ui_reads, ui_errors=len(readers.ui_errors),
        reader_error_samples=(readers.snapshot_errors + readers.ui_errors)[:3])
    return figures


def _own_peak_kib() -> int:
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def report(f: dict) -> str:
    return "\n".join([
        f"soak: {f['nights']} nights, {f['records']} PubMed records (+ preprints), seed {f['seed']}",
        f"  counted by the mirror: {f['expected']}; loaded {f['loaded']}, quarantined {f['quarantined']}",
        f"  lost: {f['lost']}   duplicated: {f['duplicated']}   nights failed by readers: "
        f"{f['failed_by_readers']}",
        f"  faults planned: {f['faults_planned']}; nights failed (resumed the next night): "
        f"{len(f['nights_failed'])} {f['nights_failed']}",
        f"  readers: snapshot {f['snapshot_reads']} reads, {f['snapshot_errors']} errors; "
        f"UI {f['ui_reads']} pages, {f['ui_errors']} errors {f['reader_error_samples']}",
        f"  wall time: {f['wall_seconds']:.0f}s   peak memory: litmine run {f['peak_run_mib']:.0f} MiB, "
        f"soak process (mirror, UI, readers) {f['peak_self_mib']:.0f} MiB",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nights", type=int, default=50)
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-ui", action="store_true", help="read only the snapshot")
    parser.add_argument("--dir", type=Path, help="work folder (default: a new temporary one)")
    args = parser.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="litmine-soak-"))
    figures = soak(root, args.nights, args.records, args.seed, ui=not args.no_ui)
    print(report(figures))
    return 0 if figures["lost"] == figures["duplicated"] == figures["failed_by_readers"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
