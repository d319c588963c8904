"""PDF parsing throughput and memory: pages/s and peak memory of `parse_pdf` on a generated
review of >= 50 pages (two-column text, a ruled characteristics table of several hundred rows
over many pages (200 rows), a legend and a numbered reference list).

    .venv/bin/python benchmarks/pdf_bench.py [--pages-target 60] [--repeat 3]

Prints figures; not a timed test. The document is built with reportlab by the test factory
(tests/parse/pdf_factory.py), so the run is offline and deterministic.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.parse.pdf import parse_pdf  # noqa: E402
from tests.parse import pdf_factory as F  # noqa: E402


def build(pages_target: int) -> tuple[bytes, int]:
    """A review with a 200-row characteristics table, padded with two-column sections until it
    has at least pages_target pages."""
    import io

    import pdfplumber
    extra = pages_target
    while True:
        pdf, _ = F.review_pdf(200, extra_sections=extra)
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            n = len(doc.pages)
        if n >= pages_target:
            return pdf, n
        extra += 20


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages-target", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    pdf, n_pages = build(args.pages_target)
    print(f"document: {n_pages} pages, {len(pdf) / 1024:.0f} KiB")
    t0 = time.perf_counter()
    parsed = parse_pdf(pdf)          # cold: includes loading the nerve lexicon (spaCy)
    cold = time.perf_counter() - t0
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        parsed = parse_pdf(pdf)
        times.append(time.perf_counter() - t0)
    best = min(times)
    tracemalloc.start()
    parse_pdf(pdf)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    table = parsed["tables"][0] if parsed["tables"] else {"rows": [], "continued_pages": []}
    print(f"parsed: {len(parsed['sections'])} sections, {len(parsed['tables'])} table(s) "
          f"({len(table['rows'])} rows over {1 + len(table['continued_pages'])} pages), "
          f"{len(parsed['evidence_rows'])} evidence rows, {len(parsed['references'])} references")
    print(f"cold run (incl. lexicon load): {cold:.2f} s = {n_pages / cold:.1f} pages/s")
    print(f"warm runs: best {best:.2f} s, median {sorted(times)[len(times) // 2]:.2f} s "
          f"= {n_pages / best:.1f} pages/s (best)")
    print(f"peak Python heap during one parse (tracemalloc): {peak / 2**20:.1f} MiB")
    print(f"peak process RSS: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
