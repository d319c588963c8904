"""Curator overrides: writing them to the warehouse, one at a time or a batch at once.

What: `curate` writes one override and `curate_many` writes a batch all-or-nothing (the CSV
import); reading the queue and records is `records`' job (re-exported here). Overrides go to
`core.curation`, which is append-only: the newest row per (article, field) is in force
(`core.curation_in_force`) and `core.evidence_current` lays it over the latest extraction.

Why: a curator's value must always win, survive re-extraction and keep who, when, why and what
it corrected (EXTRACTION_SPEC.md, "Flags for curators"). Two curators editing one field at once
must see a conflict: a write names the override it expects to replace (`expected`, the
`curation_id` in force when the page was shown), and is refused with `Conflict` if another was
written since. Every write is one transaction, serialised within the process, so the
check-then-insert cannot race.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from pipeline.curate.fields import ACTIONS, InvalidValue, get_field, normalise, parse_value, show_value
from pipeline.curate.records import (_OVERRIDE_COLUMNS, Evidence, FieldState, Filters, Flag,  # noqa: F401
                                     Override, QueueItem, Record, _override, browse, history, load_record,
                                     next_in_queue, overrides_in_force, queue)

log = logging.getLogger(__name__)

_WRITE_LOCK = threading.Lock()
MAX_REASON = 1000
MAX_CURATOR = 80
ACCEPT_REASON = "accepted as extracted"
ANY = object()   # `expected`/`shown` not given: no conflict check


class CurationError(ValueError):
    """A curation that cannot be written (unknown record, bad value, missing reason...)."""


class Conflict(CurationError):
    """The field changed since the curator looked at it; nothing was written."""

    def __init__(self, message: str, current: "Override | None" = None):
        super().__init__(message)
        self.current = current


# ---------------------------------------------------------------- writing

def clean_curator(name) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise CurationError("a curator name is required")
    if len(name) > MAX_CURATOR or any(ord(c) < 32 for c in name):
        raise CurationError(f"a curator name is at most {MAX_CURATOR} printable characters")
    return name


def clean_reason(reason, action: str) -> str:
    reason = " ".join(str(reason or "").split())
    if not reason:
        if action == "accept":
            return ACCEPT_REASON
        raise CurationError(f"a reason is required to {'mark not reported' if action == 'not_reported' else action}")
    if len(reason) > MAX_REASON:
        raise CurationError(f"the reason is longer than {MAX_REASON} characters")
    return reason


@dataclass
class Request:
    """One curation to write, as typed; `line` is where it came from (CSV import)."""
    article_id: str
    field: str
    action: str
    value: object = None
    curator: str = ""
    reason: str = ""
    expected: object = ANY          # curation_id in force when shown ("" or None: none was)
    shown: object = ANY             # the value shown, for accept: refused if it changed since
    line: int | None = None
    shown_text: object = ANY        # the same, as `show_value` text (a CSV cell)
    evidence: dict | None = None    # a span the curator selected: {"text", "start", "end"}


def _now_after(previous: Override | None) -> datetime:
    now = datetime.now(timezone.utc)
    if previous and previous.curated_at and now <= previous.curated_at:
        now = previous.curated_at + timedelta(microseconds=1)
    return now


def _values_equal(a, b) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return list(a) == list(b)
    return a == b


def _prepare(con, req: Request) -> list:
    """The core.curation row for `req`, checked against the warehouse; raises CurationError."""
    try:
        spec = get_field(req.field)
    except InvalidValue as exc:
        raise CurationError(str(exc)) from None
    action = (req.action or "").strip().lower().replace("-", "_").replace(" ", "_")
    if action not in ACTIONS:
        raise CurationError(f"unknown action {req.action!r}: use one of {', '.join(ACTIONS)}")
    curator = clean_curator(req.curator)
    reason = clean_reason(req.reason, action)
    new_value = None
    if action == "correct":
        try:
            new_value = parse_value(spec, req.value)
        except InvalidValue as exc:
            raise CurationError(str(exc)) from None
    article = con.execute("""SELECT version, article_hash FROM core.articles_current
                             WHERE article_id = ?""", [req.article_id]).fetchone()
    if article is None:
        raise CurationError(f"no current article {req.article_id!r}")
    extraction = con.execute(f"""SELECT extractor_version, {spec.name} FROM core.extractions_latest
                                 WHERE article_id = ?""", [req.article_id]).fetchone()
    extractor_version = extraction[0] if extraction else None
    extracted = normalise(spec, extraction[1]) if extraction else None
    current = overrides_in_force(con, req.article_id).get(spec.name)
    if req.expected is not ANY and (req.expected or None) != (current.curation_id if current else None):
        if current is None:
            raise Conflict(f"{spec.name}: the override you saw was replaced; reload the record", None)
        raise Conflict(f"{spec.name} was changed by {current.curator} at "
                       f"{current.curated_at:%Y-%m-%d %H:%M:%S} UTC to "
                       f"{show_value(current.new_value) or 'not reported'!r} "
                       f"(reason: {current.reason}) while you were looking at it; "
                       "your change was not saved", current)
    old_value = current.new_value if current else extracted
    if action == "accept":
        if req.shown is not ANY and not _values_equal(req.shown, old_value):
            raise Conflict(f"{spec.name} is now {show_value(old_value) or 'not reported'!r}, not the "
                           f"{show_value(req.shown) or 'not reported'!r} you saw (re-extracted "
                           "since?); nothing was accepted", current)
        if req.shown_text is not ANY and \
                show_value(old_value).strip().lower() != str(req.shown_text or "").strip().lower():
            raise Conflict(f"{spec.name} is now {show_value(old_value) or 'not reported'!r}, not the "
                           f"{req.shown_text or 'not reported'!r} you saw (re-extracted or curated "
                           "since?); nothing was accepted", current)
        new_value = old_value
    return [uuid.uuid4().hex, req.article_id, spec.name, action, json.dumps(old_value),
            json.dumps(new_value), curator, reason, _now_after(current), extractor_version,
            article[0], article[1], current.curation_id if current else None,
            _evidence(con, req)]


def _evidence(con, req: Request) -> str | None:
    """The selected span as JSON, checked against the record's text; None when none was given."""
    if not req.evidence or not str(req.evidence.get("text") or "").strip():
        return None
    title, abstract = con.execute("""SELECT coalesce(title, ''), coalesce(abstract, '')
                                     FROM core.articles_current WHERE article_id = ?""",
                                  [req.article_id]).fetchone()
    text = title + "\n" + abstract
    try:
        start, end = int(req.evidence["start"]), int(req.evidence["end"])
    except (KeyError, TypeError, ValueError):
        start, end = -1, -1
    span = str(req.evidence["text"])
    if not (0 <= start < end <= len(text)) or " ".join(text[start:end].split()) != " ".join(span.split()):
        found = text.find(span)             # offsets lost (a CLI call): the first occurrence
        if found < 0:
            raise CurationError("the selected evidence is not in the record's title or abstract")
        start, end = found, found + len(span)
    return json.dumps({"text": text[start:end], "start": start, "end": end})


_INSERT = f"INSERT INTO core.curation ({_OVERRIDE_COLUMNS}) VALUES (?, ?, ?, ?, ?::JSON, ?::JSON, ?, ?, ?, ?, ?, ?, ?, ?::JSON)"


def curate(con, article_id: str, field: str, action: str, value=None, *, curator: str,
           reason: str = "", expected=ANY, shown=ANY, evidence: dict | None = None) -> Override:
    """Write one override in one transaction; raise CurationError or Conflict and write nothing."""
    req = Request(article_id, field, action, value, curator, reason, expected, shown,
                  evidence=evidence)
    with _WRITE_LOCK:
        con.execute("BEGIN TRANSACTION")
        try:
            row = _prepare(con, req)
            con.execute(_INSERT, row)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    log.info("curation %s: %s %s %s by %s", row[0], article_id, row[2], row[3], row[6])
    return _override(row)


@dataclass
class RowError:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line is not None else self.message


class BatchRejected(CurationError):
    """Some requests of a batch were bad: none was written."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} bad row(s); nothing was written:\n"
                         + "\n".join(str(e) for e in errors))
        self.errors = errors


def curate_many(con, requests: list[Request], dry_run: bool = False) -> list[Override]:
    """Write every request or none: all are checked first, in one transaction.

    Raises BatchRejected listing every bad request (by `line`); with `dry_run`, checks only.
    """
    errors: list[RowError] = []
    rows = []
    seen: dict[tuple[str, str], int | None] = {}
    with _WRITE_LOCK:
        con.execute("BEGIN TRANSACTION")
        try:
            for req in requests:
                key = (req.article_id, (req.field or "").strip())
                if key in seen:
                    errors.append(RowError(req.line, f"{key[0]} {key[1]} is curated twice in this "
                                                     f"file (first on line {seen[key]})"))
                    continue
                seen[key] = req.line
                try:
                    rows.append(_prepare(con, req))
                except CurationError as exc:
                    errors.append(RowError(req.line, str(exc)))
            if errors:
                raise BatchRejected(errors)
            if dry_run:
                con.execute("ROLLBACK")
                return [_override(r) for r in rows]
            for row in rows:
                con.execute(_INSERT, row)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    log.info("curated %d field(s) in one batch", len(rows))
    return [_override(r) for r in rows]


def _undo_target(con, curator: str, article_id: str | None) -> tuple[Override, Override | None] | None:
    """The curator's newest action whose effect is still what is in force, and the row before it.

    An action is in force when it is the newest row of its field, or when the newest row is an
    undo that put it back (undo of the action that had replaced it)."""
    sql = f"""SELECT {_OVERRIDE_COLUMNS} FROM core.curation c
              WHERE curator = ? AND reason NOT LIKE 'undo:%'
                AND NOT EXISTS (SELECT 1 FROM core.curation u
                                WHERE u.supersedes = c.curation_id AND u.reason LIKE 'undo:%')"""
    params: list = [curator]
    if article_id:
        sql += " AND article_id = ?"
        params.append(article_id)
    for row in con.execute(sql + " ORDER BY curated_at DESC, curation_id DESC LIMIT 50", params).fetchall():
        action = _override(row)
        newest = con.execute(f"""SELECT {_OVERRIDE_COLUMNS} FROM core.curation
                                 WHERE article_id = ? AND field = ?
                                 ORDER BY curated_at DESC, curation_id DESC LIMIT 1""",
                             [action.article_id, action.field]).fetchone()
        newest = _override(newest)
        restored = None
        if newest.reason.startswith("undo:") and newest.supersedes:
            restored = con.execute("SELECT supersedes FROM core.curation WHERE curation_id = ?",
                                   [newest.supersedes]).fetchone()
        if newest.curation_id == action.curation_id or (restored and restored[0] == action.curation_id):
            before = None
            if action.supersedes:
                found = con.execute(f"SELECT {_OVERRIDE_COLUMNS} FROM core.curation WHERE curation_id = ?",
                                    [action.supersedes]).fetchone()
                before = _override(found) if found else None
            return action, before
        # someone changed the field since: that action is no longer theirs to undo
    return None


def undo_last(con, curator: str, article_id: str | None = None) -> Override | None:
    """Undo `curator`'s newest action (on `article_id`, if given) whose effect is in force.

    Appends a row (core.curation is never rewritten) whose `supersedes` names the undone row: a
    copy of the override the undone one replaced, or an 'undo' row meaning "no override", so the
    extractor's value is back. Returns the appended row, or None when there is nothing to undo."""
    curator = clean_curator(curator)
    with _WRITE_LOCK:
        con.execute("BEGIN TRANSACTION")
        try:
            found = _undo_target(con, curator, article_id)
            if found is None:
                con.execute("ROLLBACK")
                return None
            last, before = found
            undo = [uuid.uuid4().hex, last.article_id, last.field,
                    before.action if before else "undo", json.dumps(last.new_value),
                    json.dumps(before.new_value if before else None), curator,
                    f"undo: {last.action} of {last.field} by {last.curator}",
                    _now_after(last) + timedelta(microseconds=1),
                    last.extractor_version, last.article_version, last.article_hash, last.curation_id,
                    json.dumps(before.evidence) if before and before.evidence else None]
            con.execute(_INSERT, undo)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    log.info("curation %s undone by %s", last.curation_id, curator)
    return _override(undo)
