"""Records/s through harvest, extract and load, against the mirror on loopback.

Generates a synthetic corpus (default 5,000 PubMed records and 500 preprints), serves it with
the mirror, and runs the nightly stages on it into a fresh warehouse. The harvest runs at NCBI's
real rate limits (3 requests/s, or 10 with an API key), so its figure is what a real backfill
can reach; parse, extract and load are measured separately. Peak memory is the process's
maximum resident set size.

    .venv/bin/python benchmarks/harvest_bench.py [--pubmed 5000] [--preprints 500] [--api-key]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline import nightly  # noqa: E402
from pipeline.config import Settings  # noqa: E402
from pipeline.mirror.server import MirrorServer  # noqa: E402
from pipeline.warehouse import db  # noqa: E402
from tests.factories import write_corpus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pubmed", type=int, default=5000)
    parser.add_argument("--preprints", type=int, default=500)
    parser.add_argument("--api-key", action="store_true", help="harvest at 10 requests/s")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="litmine-bench-"))
    write_corpus(root / "corpus", pubmed=args.pubmed, preprints=args.preprints, per_day=50)
    settings = Settings(warehouse=root / "w" / "litmine.duckdb", staging_dir=root / "w" / "staging",
                        published=root / "w" / "published" / "litmine.duckdb",
                        docs_dir=root / "w" / "docs", harvest_start=date(2023, 1, 1),
                        ncbi_api_key="bench" if args.api_key else None)
    total = args.pubmed + args.preprints
    with MirrorServer(root / "corpus") as mirror:
        settings = replace(settings.with_mirror(mirror.base_url))
        t0 = time.perf_counter()
        errors = nightly.harvest_all(settings, None, None)
        t1 = time.perf_counter()
    if errors:
        raise SystemExit(f"harvest failed: {errors}")
    nightly.extract_staged(settings)
    t2 = time.perf_counter()
    nightly.load_staged(settings, "bench")
    t3 = time.perf_counter()
    con = db.connect(settings, read_only=True)
    loaded = con.execute("SELECT count(*) FROM core.articles_current").fetchone()[0]
    con.close()
    if loaded != total:
        raise SystemExit(f"loaded {loaded} of {total} records")

    rate = "10 req/s (API key)" if args.api_key else "3 req/s (no API key)"
    print(f"records: {total} ({args.pubmed} PubMed, {args.preprints} preprints); NCBI rate {rate}")
    print(f"harvest (fetch + parse + stage): {t1 - t0:6.2f} s  {total / (t1 - t0):8.0f} records/s")
    print(f"extract:                         {t2 - t1:6.2f} s  {total / (t2 - t1):8.0f} records/s")
    print(f"load (one transaction a window): {t3 - t2:6.2f} s  {total / (t3 - t2):8.0f} records/s")
    print(f"harvest + load:                  {(t1 - t0) + (t3 - t2):6.2f} s  "
          f"{total / ((t1 - t0) + (t3 - t2)):8.0f} records/s")
    print(f"end to end:                      {t3 - t0:6.2f} s  {total / (t3 - t0):8.0f} records/s")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
