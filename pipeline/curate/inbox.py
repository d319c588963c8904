"""Curators' saves that arrive while the nightly load holds the warehouse: queued, not lost.

What: `enqueue(settings, request)` writes one save as a JSON file in
`warehouse/curation_inbox/` (atomically); `apply_inbox(con, settings)` writes every queued save
with `store.curate`, oldest first, with the same checks as a direct save (a save that no longer
applies, e.g. another curator changed the field meanwhile, goes to `rejected/` with the
reason); `pending(settings)` counts what waits. The nightly run applies the inbox before it
publishes, and the curation UI applies it whenever it gets the warehouse for a write.

Why: DuckDB has one writer. A curator's save must never fail because the night is loading, and
the night must never fail because a curator saved, so neither waits on the other for long.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

from pipeline.config import Settings
from pipeline.curate import store

log = logging.getLogger(__name__)


def inbox_dir(settings: Settings) -> Path:
    return Path(settings.warehouse).parent / "curation_inbox"


def enqueue(settings: Settings, request: dict) -> Path:
    """Keep one save (article_id, field, action, value, curator, reason, expected, shown, evidence)."""
    folder = inbox_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.json"
    tmp = folder / f".{path.name}.tmp"
    tmp.write_text(json.dumps(dict(request, queued_at=stamp), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    return path


def pending(settings: Settings) -> int:
    folder = inbox_dir(settings)
    return len(list(folder.glob("*.json"))) if folder.is_dir() else 0


def apply_inbox(con, settings: Settings) -> tuple[int, int]:
    """Write the queued saves in order; return (applied, rejected)."""
    folder = inbox_dir(settings)
    if not folder.is_dir():
        return 0, 0
    applied = rejected = 0
    for path in sorted(folder.glob("*.json")):
        try:
            req = json.loads(path.read_text(encoding="utf-8"))
            store.curate(con, req["article_id"], req["field"], req["action"], req.get("value"),
                         curator=req["curator"], reason=req.get("reason", ""),
                         expected=req.get("expected", store.ANY) if "expected" in req else store.ANY,
                         shown=req["shown"] if "shown" in req else store.ANY,
                         evidence=req.get("evidence"))
        except (store.CurationError, ValueError, KeyError) as exc:
            (folder / "rejected").mkdir(exist_ok=True)
            os.replace(path, folder / "rejected" / path.name)
            (folder / "rejected" / (path.stem + ".reason.txt")).write_text(str(exc) + "\n", encoding="utf-8")
            log.warning("queued curation %s not applied: %s", path.name, exc)
            rejected += 1
            continue
        path.unlink()
        applied += 1
    if applied or rejected:
        log.info("curation inbox: %d applied, %d rejected", applied, rejected)
    return applied, rejected
