"""Curate in a spreadsheet: export the queue as CSV, import the filled-in sheet back.

What: `export_csv` writes one row per pending field of every queued record (or every field,
with `all_fields`), with the context a curator needs (title, flags, extracted and current value)
and three columns to fill: `action` (accept | correct | not_reported), `new_value` and `reason`
(plus `curator`, or a default given at import). `import_csv` reads it back: rows with an empty
`action` are skipped; every other row is checked (record exists, field curatable, value typed
right, reason given, and nobody curated the field since the export: `curation_id_in_force` and
`current_value` must still match) and then either all of them are written, in one transaction,
or, if any row is bad, none is and `BatchRejected` lists each bad row by its line number.

Why: a team can split the queue, curate in a spreadsheet, and bring the work back without a
half-imported file ever reaching the warehouse.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import IO

from pipeline.curate import store
from pipeline.curate.fields import FIELDS, show_value
from pipeline.warehouse.spreadsheets import FORMULA_START, safe_cell

COLUMNS = ["article_id", "title", "field", "pending", "flags", "extracted_value", "current_value",
           "curation_id_in_force", "action", "new_value", "reason", "curator"]
REQUIRED = ("article_id", "field", "action")


def export_rows(con, all_fields: bool = False) -> list[dict]:
    rows = []
    for item in store.queue(con, include_done=all_fields):
        record = store.load_record(con, item.article_id)
        names = list(FIELDS) if all_fields else item.pending
        for name in names:
            state = record.fields[name]
            rows.append({
                "article_id": record.article_id, "title": record.title, "field": name,
                "pending": "yes" if state.pending else "no",
                "flags": " | ".join(state.reasons),
                "extracted_value": show_value(state.extracted),
                "current_value": show_value(state.value),
                "curation_id_in_force": state.override.curation_id if state.override else "",
                "action": "", "new_value": "", "reason": "", "curator": "",
            })
    return rows


def export_csv(con, out: IO[str], all_fields: bool = False) -> int:
    """Write the sheet to `out`; return the number of rows."""
    rows = export_rows(con, all_fields)
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    # Titles come from the internet: a "=HYPERLINK(...)" title must stay text in a spreadsheet.
    writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in rows)
    return len(rows)


@dataclass
class ImportResult:
    written: list[store.Override]
    skipped: int


def read_requests(source: IO[str], curator: str | None = None) -> tuple[list[store.Request], list[store.RowError], int]:
    """The curation requests in a sheet, the rows that cannot even be read, and blank-action rows."""
    errors: list[store.RowError] = []
    requests: list[store.Request] = []
    skipped = 0
    reader = csv.DictReader(source)
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        return [], [store.RowError(1, f"not a readable CSV file: {exc}")], 0
    if not header:
        return [], [store.RowError(1, "the file is empty (no header row)")], 0
    header = [h.strip() if h else h for h in header]
    reader.fieldnames = header
    if "value" in header and "new_value" not in header:
        header[header.index("value")] = "new_value"
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [store.RowError(1, f"missing column(s): {', '.join(missing)} "
                                      f"(expected a sheet from `litmine curate export`)")], 0
    check_id = "curation_id_in_force" in header
    check_value = "current_value" in header
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(store.RowError(reader.line_num, f"unreadable CSV: {exc}"))
            break
        line = reader.line_num - sum(str(v).count("\n") for v in row.values() if isinstance(v, str))
        if None in row:
            errors.append(store.RowError(line, f"{len(row[None])} more cell(s) than the header has columns"))
            continue
        cells = {k: _unquote(v or "") for k, v in row.items()}
        if not any(v.strip() for v in cells.values()):
            continue
        if not cells["action"].strip():
            skipped += 1
            continue
        action = cells["action"].strip().lower().replace("-", "_").replace(" ", "_")
        requests.append(store.Request(
            article_id=cells["article_id"].strip(), field=cells["field"].strip(), action=action,
            value=cells.get("new_value", ""), curator=cells.get("curator", "").strip() or (curator or ""),
            reason=cells.get("reason", ""),
            expected=cells["curation_id_in_force"].strip() if check_id else store.ANY,
            shown_text=cells["current_value"] if check_value and action == "accept" else store.ANY,
            line=line))
    return requests, errors, skipped


def _unquote(cell: str) -> str:
    """The cell without the apostrophe `safe_cell` put before text starting like a formula."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def import_csv(con, source: IO[str] | str, curator: str | None = None) -> ImportResult:
    """Write every filled-in row of the sheet, or none: raises BatchRejected listing bad lines."""
    if isinstance(source, str):
        source = io.StringIO(source)
    requests, errors, skipped = read_requests(source, curator)
    if errors:
        # Still check the readable rows, so one pass reports every bad line.
        more = _check_only(con, requests)
        raise store.BatchRejected(sorted(errors + more, key=lambda e: e.line or 0))
    written = store.curate_many(con, requests)
    return ImportResult(written, skipped)


def check_csv(con, source: IO[str] | str, curator: str | None = None) -> tuple[int, int]:
    """Validate a sheet without writing: (rows that would be written, rows skipped), or raise."""
    if isinstance(source, str):
        source = io.StringIO(source)
    requests, errors, skipped = read_requests(source, curator)
    errors = errors + _check_only(con, requests)
    if errors:
        raise store.BatchRejected(sorted(errors, key=lambda e: e.line or 0))
    return len(requests), skipped


def _check_only(con, requests: list[store.Request]) -> list[store.RowError]:
    """The errors `curate_many` would report for `requests`, writing nothing."""
    try:
        store.curate_many(con, requests, dry_run=True)
    except store.BatchRejected as exc:
        return exc.errors
    return []
