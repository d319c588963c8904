"""Runs that fail are recorded, even when the warehouse itself is what failed; one run at a time.

`record_failure` writes an `ops.runs` row (source "run", the stage and reason in `error`). When
the warehouse cannot be opened (held by another process, or unreadable) the row is appended to
`failed-runs.jsonl` beside it instead, and `import_failures` moves those lines into `ops.runs`
the next time the loader has the warehouse open, so no failure goes unrecorded.

`run_lock` lets only one `litmine run` work on a warehouse at a time: a second one reports the
first one's PID and start time and exits, instead of racing it for DuckDB's write lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from pathlib import Path

from pipeline.config import Settings
from pipeline.models import utc_now

log = logging.getLogger(__name__)


class RunInProgress(RuntimeError):
    """Another `litmine run` holds the run lock of this warehouse."""


def failures_path(settings: Settings) -> Path:
    return Path(settings.warehouse).parent / "failed-runs.jsonl"


def lock_path(settings: Settings) -> Path:
    return Path(settings.warehouse).parent / "litmine-run.lock"


def _insert(con, row: dict) -> None:
    con.execute("""INSERT OR REPLACE INTO ops.runs (run_id, source, query, started_at, finished_at,
                       status, error) VALUES (?, 'run', ?, ?, ?, 'failed', ?)""",
                [row["run_id"], row["query"], row["started_at"], row["finished_at"],
                 f"{row['stage']}: {row['reason']}"])


def record_failure(settings: Settings, run_id: str, stage: str, reason: str,
                   started_at=None) -> str:
    """Record a failed run; returns where it went ("ops.runs" or the fallback file's path)."""
    from pipeline.warehouse import db

    now = utc_now().isoformat()
    row = {"run_id": run_id, "query": settings.query, "stage": stage, "reason": reason,
           "started_at": str(started_at or now), "finished_at": now}
    try:
        con = db.connect(settings)
        try:
            _insert(con, row)
        finally:
            con.close()
        return "ops.runs"
    except Exception as exc:   # the warehouse is what failed: keep the record beside it
        path = failures_path(settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        row["reason"] += f" (recorded outside the warehouse: {exc})"
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return str(path)


def import_failures(con, settings: Settings) -> int:
    """Move failures recorded outside the warehouse into ops.runs."""
    path = failures_path(settings)
    if not path.exists():
        return 0
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        _insert(con, row)
    path.unlink()
    return len(rows)


@contextlib.contextmanager
def run_lock(settings: Settings):
    """Hold the warehouse's run lock for the duration; RunInProgress if another run has it."""
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown process"
            raise RunInProgress(f"another litmine run is working on {settings.warehouse} "
                                f"({holder}); this one exits without touching it") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {utc_now().isoformat()}")
        handle.flush()
        yield
    finally:
        handle.close()   # closing the file releases the lock
