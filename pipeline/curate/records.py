"""What a curator looks at: the queue of records that need one, and each record in full.

`queue` lists the records that need a curator, most important first; `load_record` gathers
everything a curator needs to judge one (the text, each field's extracted value, the override
in force, flag reasons, evidence). Writing overrides is `store`'s job.

How a record enters the queue: its latest extraction carries a flag, or validation raised an
`ops.flags` row for it, on a curatable field that has no override in force for the record's
current content. An override made on an earlier version of the record (the abstract was
corrected since) stays in force but puts the field back in the queue as `stale_override`.
Order: relevant records first, then records with a pending core field (design, sample size,
targets), then by number of pending flags.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field as dc_field
from datetime import datetime

from pipeline.curate.fields import (CORE_FIELDS, FIELDS, Field, field_for, normalise)

@dataclass
class Override:
    curation_id: str
    article_id: str
    field: str
    action: str
    old_value: object
    new_value: object
    curator: str
    reason: str
    curated_at: datetime
    extractor_version: str | None
    article_version: int | None
    article_hash: str | None
    supersedes: str | None
    evidence: dict | None = None       # the span a curator selected: {"text", "start", "end"}


@dataclass
class Flag:
    field: str | None          # a curatable field, or None for a record-level flag
    reason: str
    source: str                # "extraction" | "validation" | "stale_override"
    raw_field: str | None = None


@dataclass
class Evidence:
    field: str                 # the extractor's name: follow_up, outcome, targets, ...
    text: str
    start: int
    end: int
    rule: str
    confidence: float
    in_text: bool = False      # its offsets point at this text in title + "\n" + abstract


@dataclass
class FieldState:
    spec: Field
    extracted: object
    override: Override | None
    stale: bool
    flags: list[Flag]
    evidence: list[Evidence]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def value(self):
        """What analysts read in core.evidence_current."""
        return self.override.new_value if self.override else self.extracted

    @property
    def pending(self) -> bool:
        return self.stale or (bool(self.flags) and self.override is None)

    @property
    def reasons(self) -> list[str]:
        return [f.reason for f in self.flags]


@dataclass
class Record:
    article_id: str
    article_version: int
    article_hash: str
    title: str
    abstract: str
    source: str
    pmid: str | None
    doi: str | None
    year: int | None
    journal: str | None
    extractor_version: str | None
    fields: dict[str, FieldState]
    record_flags: list[Flag]
    evidence: list[Evidence]

    @property
    def text(self) -> str:
        return self.title + "\n" + self.abstract

    @property
    def pending(self) -> list[FieldState]:
        return [s for s in self.fields.values() if s.pending]

    @property
    def stale(self) -> bool:
        return any(s.stale for s in self.fields.values())


@dataclass
class QueueItem:
    article_id: str
    title: str
    year: int | None
    relevant: bool | None
    pending: list[str]                 # fields, core first
    reasons: dict[str, list[str]] = dc_field(default_factory=dict)
    stale: bool = False

    @property
    def core(self) -> bool:
        return any(f in CORE_FIELDS for f in self.pending)

    @property
    def flag_count(self) -> int:
        return sum(len(r) for r in self.reasons.values())

    def sort_key(self):
        rank = {True: 0, None: 1, False: 2}[self.relevant]
        return (rank, not self.core, -self.flag_count, self.article_id)


def _json(value):
    if value is None:
        return None
    return json.loads(value) if isinstance(value, str) else value


def _override(row) -> Override:
    (curation_id, article_id, field, action, old_value, new_value, curator, reason, curated_at,
     extractor_version, article_version, article_hash, supersedes, evidence) = row
    return Override(curation_id, article_id, field, action, _json(old_value), _json(new_value),
                    curator, reason, curated_at, extractor_version, article_version, article_hash,
                    supersedes, _json(evidence))


_OVERRIDE_COLUMNS = ("curation_id, article_id, field, action, old_value, new_value, curator, reason, "
                     "curated_at, extractor_version, article_version, article_hash, supersedes, evidence")


def overrides_in_force(con, article_id: str) -> dict[str, Override]:
    rows = con.execute(f"SELECT {_OVERRIDE_COLUMNS} FROM core.curation_in_force WHERE article_id = ?",
                       [article_id]).fetchall()
    return {row[2]: _override(row) for row in rows}


def history(con, article_id: str) -> list[Override]:
    """Every curation of the record, newest first: the audit trail."""
    rows = con.execute(f"""SELECT {_OVERRIDE_COLUMNS} FROM core.curation WHERE article_id = ?
                           ORDER BY curated_at DESC, curation_id DESC""", [article_id]).fetchall()
    return [_override(r) for r in rows]


def _extraction_flags(flags_json) -> list[Flag]:
    found = []
    for item in _json(flags_json) or []:
        if not isinstance(item, dict):
            continue
        raw = item.get("field")
        spec = field_for(raw)
        found.append(Flag(spec.name if spec else None, str(item.get("reason") or "flagged"),
                          "extraction", raw))
    return found


def _validation_flags(con, article_id: str | None = None) -> dict[str, list[Flag]]:
    sql = """SELECT f.record_id, f.column_name, f.reason FROM ops.flags f
             JOIN core.articles_current a ON a.article_id = f.record_id"""
    params = []
    if article_id is not None:
        sql += " WHERE f.record_id = ?"
        params.append(article_id)
    found: dict[str, list[Flag]] = {}
    for record_id, column, reason in con.execute(sql + " ORDER BY f.created_at, f.flag_id", params).fetchall():
        spec = field_for(column)
        found.setdefault(record_id, []).append(Flag(spec.name if spec else None, reason,
                                                    "validation", column))
    return found


def _stale_flag(override: Override) -> Flag:
    when = override.curated_at.strftime("%Y-%m-%d") if override.curated_at else "?"
    return Flag(override.field, f"stale_override: the record changed since {override.curator} "
                f"curated it on {when} (override still in force)", "stale_override", override.field)


def load_record(con, article_id: str) -> Record | None:
    """Everything about one current article a curator needs, or None if there is no such article."""
    row = con.execute("""SELECT article_id, version, article_hash, coalesce(title, ''),
                                coalesce(abstract, ''), source, pmid, doi, year, journal
                         FROM core.articles_current WHERE article_id = ?""", [article_id]).fetchone()
    if row is None:
        return None
    (article_id, version, digest, title, abstract, source, pmid, doi, year, journal) = row
    names = list(FIELDS)
    extraction = con.execute(f"""SELECT extractor_version, flags, {', '.join(names)}
                                 FROM core.extractions_latest WHERE article_id = ?""",
                             [article_id]).fetchone()
    extractor_version, flags_json = (extraction[0], extraction[1]) if extraction else (None, None)
    values = dict(zip(names, extraction[2:])) if extraction else {}
    evidence = []
    if extraction:
        text = title + "\n" + abstract
        for f, t, s, e, rule, conf in con.execute(
                """SELECT field, text, start_offset, end_offset, rule, confidence FROM core.evidence
                   WHERE article_id = ? AND article_version = ? AND extractor_version = ?
                   ORDER BY start_offset, field, ordinal""",
                [article_id, version, extractor_version]).fetchall():
            inside = 0 <= s < e <= len(text) and " ".join(text[s:e].split()) == " ".join(t.split())
            evidence.append(Evidence(f, t, s, e, rule, conf, inside))
    flags = _extraction_flags(flags_json) + _validation_flags(con, article_id).get(article_id, [])
    overrides = overrides_in_force(con, article_id)
    fields = {}
    for name, spec in FIELDS.items():
        override = overrides.get(name)
        stale = bool(override and override.article_hash != digest)
        field_flags = [f for f in flags if f.field == name]
        if stale:
            field_flags.append(_stale_flag(override))
        fields[name] = FieldState(spec, normalise(spec, values.get(name)), override, stale,
                                  field_flags, [e for e in evidence if e.field == spec.extractor_name])
    return Record(article_id, version, digest, title, abstract, source, pmid, doi, year, journal,
                  extractor_version, fields, [f for f in flags if f.field is None], evidence)


def queue(con, include_done: bool = False, limit: int | None = None) -> list[QueueItem]:
    """Flagged records still needing a curator, most important first.

    With `include_done`, records whose every flag is resolved are listed too (pending empty).
    """
    articles = {r[0]: r for r in con.execute(
        """SELECT a.article_id, coalesce(a.title, ''), a.year, a.article_hash, e.flags
           FROM core.articles_current a
           LEFT JOIN core.extractions_latest e ON e.article_id = a.article_id""").fetchall()}
    flags: dict[str, list[Flag]] = {}
    for article_id, (_, _, _, _, flags_json) in articles.items():
        found = [f for f in _extraction_flags(flags_json) if f.field]
        if found:
            flags[article_id] = found
    for article_id, found in _validation_flags(con).items():
        flags.setdefault(article_id, []).extend(f for f in found if f.field)
    overrides: dict[str, dict[str, Override]] = {}
    for row in con.execute(f"SELECT {_OVERRIDE_COLUMNS} FROM core.curation_in_force").fetchall():
        o = _override(row)
        overrides.setdefault(o.article_id, {})[o.field] = o
    relevant = dict(con.execute("SELECT article_id, relevant FROM core.evidence_current").fetchall())
    items = []
    for article_id in set(flags) | set(overrides):
        if article_id not in articles:
            continue
        _, title, year, digest, _ = articles[article_id]
        reasons: dict[str, list[str]] = {}
        done = overrides.get(article_id, {})
        stale = False
        for f in flags.get(article_id, []):
            if f.field not in done:
                reasons.setdefault(f.field, []).append(f.reason)
        for name, o in done.items():
            if o.article_hash != digest:
                stale = True
                reasons.setdefault(name, []).append(_stale_flag(o).reason)
        if not reasons and not (include_done and article_id in flags):
            continue
        order = list(FIELDS)
        pending = sorted(reasons, key=lambda n: (n not in CORE_FIELDS, order.index(n)))
        items.append(QueueItem(article_id, title, year, relevant.get(article_id), pending,
                               {n: reasons[n] for n in pending}, stale))
    items.sort(key=QueueItem.sort_key)
    return items[:limit] if limit else items


def next_in_queue(con, after: str | None = None) -> str | None:
    """The record to curate after `after`: the next one in queue order, wrapping around."""
    ids = [item.article_id for item in queue(con)]
    if not ids:
        return None
    if after in ids:
        i = ids.index(after)
        rest = ids[i + 1:] + ids[:i]
        return rest[0] if rest else None
    return ids[0]
