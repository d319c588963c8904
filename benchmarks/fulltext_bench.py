"""Full-text parsing throughput and memory on documents other people's tools made:

* JATS: documents/s and peak Python memory of `parse_jats` over the real PMC articles in
  tests/fixtures/jats and the sample corpus's full texts;
* PDF: pages/s of `parse_pdf` over the Chromium-printed review table and the public PDFs in
  tests/fixtures (in-process, and through the bounded child process the nightly uses, with the
  child's peak resident memory).

    .venv/bin/python benchmarks/fulltext_bench.py [--seconds 5]

Prints figures; not a timed test.
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.parse.jats import parse_jats  # noqa: E402
from pipeline.parse.pdf import parse_pdf  # noqa: E402
from pipeline.parse.pdf_bounded import BoundedPdfParser  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"


def jats_docs() -> list[bytes]:
    paths = sorted((FIXTURES / "jats").glob("*.*ml")) + sorted((ROOT / "pipeline/mirror/sample_corpus/pmc").glob("*.xml"))
    return [p.read_bytes() for p in paths if p.suffix in (".xml", ".nxml")]


def pdf_docs() -> list[tuple[str, bytes, int]]:
    import pdfplumber
    out = []
    for path in sorted((FIXTURES / "chromium").glob("*.pdf")) + sorted((FIXTURES / "pdfs_public").glob("*.pdf")):
        data = path.read_bytes()
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            out.append((path.name, data, len(pdf.pages)))
    return out


def rate(fn, items, seconds: float) -> tuple[float, int]:
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for item in items:
            fn(item)
            done += 1
    return done / (time.perf_counter() - started), done


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()

    docs = jats_docs()
    size = sum(len(d) for d in docs)
    parse_jats(docs[0])          # warm: the evidence-table vocabularies load once
    per_s, n = rate(parse_jats, docs, args.seconds)
    tracemalloc.start()
    for d in docs:
        parse_jats(d)
    jats_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"JATS: {len(docs)} documents ({size / 1024:.0f} KiB): {per_s:.1f} documents/s "
          f"({n} parsed), peak Python memory {jats_peak / 2**20:.1f} MiB per pass")

    pdfs = pdf_docs()
    pages = sum(p for _, _, p in pdfs)
    for _, data, _ in pdfs:
        parse_pdf(data)          # warm
    started = time.perf_counter()
    for _, data, _ in pdfs:
        parse_pdf(data)
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    for _, data, _ in pdfs:
        parse_pdf(data)
    pdf_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"PDF in-process: {len(pdfs)} documents, {pages} pages: {pages / elapsed:.1f} pages/s, "
          f"peak Python memory {pdf_peak / 2**20:.1f} MiB")

    with BoundedPdfParser() as parser:
        parser.parse(pdfs[0][1])                 # starts the child (loads spaCy once)
        started = time.perf_counter()
        for _, data, _ in pdfs:
            parser.parse(data)
        elapsed = time.perf_counter() - started
        hwm = next((line.split()[1] for line in open(f"/proc/{parser._child.pid}/status")
                    if line.startswith("VmHWM")), "?")
    print(f"PDF bounded child: {pages / elapsed:.1f} pages/s, child peak RSS {int(hwm) / 1024:.0f} MiB "
          f"(ceiling {parser.memory_mb} MiB)")
    print(f"this process: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
