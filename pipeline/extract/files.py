"""JSONL in, JSONL out: `extract_file(input_path, output_path) -> int`.

One output line per input line, in the same order. Blank lines are skipped. A line that is not
valid JSON, is not an object, or has no "id" does not stop the file: its output line is
`{"id": <the id if one could be read, else null>, "extractor_version": ..., "error": "<reason>"}`
and the count still includes it. An exception inside the extractor on one record is reported
the same way. Many records are extracted on every core (parallel.py).
"""

from __future__ import annotations

import json
from pathlib import Path


def _parse(line: str) -> tuple[dict | None, dict | None]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, {"id": None, "error": f"invalid JSON: {exc.msg} at column {exc.colno}"}
    if not isinstance(record, dict):
        return None, {"id": None, "error": f"record is a JSON {type(record).__name__}, not an object"}
    rid = record.get("id")
    if rid is None or rid == "":
        return None, {"id": None, "error": "record has no id"}
    if not isinstance(record.get("title", ""), (str, type(None))) or not isinstance(record.get("abstract", ""), (str, type(None))):
        return None, {"id": rid, "error": "title and abstract must be strings"}
    return record, None


def extract_file(input_path, output_path, extractor=None, workers: int | None = None,
                 config: dict | None = None) -> int:
    """Extract a JSONL file on `workers` processes (default: every core); same order out."""
    from . import EXTRACTOR_VERSION
    from .parallel import extract_records
    lines = [l for l in Path(input_path).read_text(encoding="utf-8").splitlines() if l.strip()]
    parsed = [_parse(l) for l in lines]
    good = [r for r, err in parsed if r is not None]
    lines_out = extract_records(good, workers=1 if extractor else workers, config=config,
                                extractor=extractor, as_json=True)
    count = 0
    with open(output_path, "w", encoding="utf-8") as out:
        for record, err in parsed:
            if err is not None:
                row = {"id": err["id"], "extractor_version": EXTRACTOR_VERSION, "error": err["error"]}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            else:
                out.write(next(lines_out) + "\n")
            count += 1
    return count
