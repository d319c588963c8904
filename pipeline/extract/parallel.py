"""Extraction on every core: records in, extractions out, in the same order.

`extract_records(records, workers=None, config=None)` splits the records into chunks and runs
them through a process pool whose workers each build the extractor once (the spaCy pipeline
and the rules take ~0.3 s to build, far more than a chunk costs to send). With one worker, or
too few records to repay starting processes, it runs in this process. A record the extractor
fails on becomes an error row for that record alone; the rest of its chunk is unaffected.

Workers are forked from this process only while it runs no other thread. A child forked from
a threaded process inherits every lock as it stood at that instant, and a lock another thread
held (logging, a DuckDB pool, the mirror's or Airflow's connection threads) is never released
in the child: the pool waits for good (a CI run hung in the pool test this way). A threaded process starts its workers
from a fork server instead, which imports the extractor's modules once and is itself
single-threaded (the method Python 3.14 makes the default). As with any pool that does not
fork, a script calling this from a threaded process needs the `if __name__ == "__main__":` guard.

Chunks are small enough that every worker gets several (the last chunk to finish decides the
wall time), and with `as_json=True` the workers also serialise their rows, so the parent,
which shares the cores, only writes lines.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Iterable, Iterator

CHUNK = 128          # records per chunk at most
CHUNKS_PER_WORKER = 4
_worker_extractor = None


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def start_method() -> str:
    """`fork` in a single-threaded process (workers start with the modules already loaded),
    else `forkserver` where the platform has it, else `spawn`."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and _threads_running() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _threads_running() -> int:
    # the OS's count: DuckDB's and other C libraries' threads are invisible to `threading`
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        import threading
        return threading.active_count()


# what a fork server imports once, before it forks any worker
_PRELOAD = ["pipeline.extract.extractor", "pipeline.nightly"]


def process_pool(workers: int, config: dict | None) -> ProcessPoolExecutor:
    """A pool of `workers` processes, each holding its own extractor built from `config`."""
    method = start_method()
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(_PRELOAD)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=init_worker, initargs=(config,))


def extract_isolated(extractor, records: list[dict]) -> list[dict]:
    """Extract a list; if the batch path fails, redo it record by record so one bad record
    costs only its own row."""
    from . import EXTRACTOR_VERSION
    try:
        return list(extractor.extract_many(records))
    except Exception:                                    # noqa: BLE001 - isolate, then report
        rows = []
        for record in records:
            try:
                rows.append(extractor.extract(record))
            except Exception as exc:                     # noqa: BLE001
                rows.append({"id": None if record.get("id") is None else str(record.get("id")),
                             "extractor_version": EXTRACTOR_VERSION,
                             "error": f"extraction failed: {type(exc).__name__}: {exc}"})
        return rows


def init_worker(config: dict | None) -> None:
    """A pool initializer: build this process's extractor once."""
    global _worker_extractor
    from . import build_extractor
    _worker_extractor = build_extractor(config)


def worker_extractor():
    return _worker_extractor


def _extract_chunk(records: list[dict]) -> list[dict]:
    return extract_isolated(_worker_extractor, records)


def _extract_chunk_as_json(records: list[dict]) -> list[str]:
    return [json.dumps(row, ensure_ascii=False) for row in extract_isolated(_worker_extractor, records)]


def extract_records(records: Iterable[dict], workers: int | None = None, config: dict | None = None,
                    extractor=None, as_json: bool = False) -> Iterator:
    """Extraction rows (JSON strings with `as_json`) for `records`, in their order."""
    records = list(records)
    workers = max(1, min(workers or available_cores(), -(-len(records) // CHUNK)))
    if workers == 1:
        from . import build_extractor
        extractor = extractor or build_extractor(config)
        for i in range(0, len(records), CHUNK):
            rows = extract_isolated(extractor, records[i:i + CHUNK])
            yield from (json.dumps(r, ensure_ascii=False) for r in rows) if as_json else rows
        return
    size = max(1, min(CHUNK, -(-len(records) // (workers * CHUNKS_PER_WORKER))))
    chunks = [records[i:i + size] for i in range(0, len(records), size)]
    job = _extract_chunk_as_json if as_json else _extract_chunk
    with process_pool(workers, config) as pool:
        for rows in pool.map(job, chunks):
            yield from rows
