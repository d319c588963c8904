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
import re
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
    sentence: str | None = None    # full-text evidence: the sentence around it,
    section: str | None = None     # the section it is in,
    page: int | None = None        # and the PDF page that section starts on


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
    pmcid: str | None = None
    preprint_id: str | None = None
    pdf_url: str | None = None

    @property
    def links(self) -> list[tuple[str, str]]:
        """(label, url) of the record at PubMed, its DOI, PubMed Central / Europe PMC, its PDF."""
        found = []
        if self.pmid:
            found.append((f"PubMed {self.pmid}", f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"))
        if self.doi:
            found.append((f"DOI {self.doi}", f"https://doi.org/{self.doi}"))
        if self.pmcid:
            found.append((self.pmcid, f"https://pmc.ncbi.nlm.nih.gov/articles/{self.pmcid}/"))
        if self.preprint_id:
            found.append((f"Europe PMC {self.preprint_id}", f"https://europepmc.org/article/PPR/{self.preprint_id}"))
        if self.pdf_url and self.pdf_url.startswith(("http://", "https://")):
            found.append(("PDF", self.pdf_url))
        return found

    def page_link(self, page: int | None) -> str | None:
        """The PDF opened at `page` (the #page= fragment PDF viewers follow)."""
        if not self.pdf_url or not self.pdf_url.startswith(("http://", "https://")):
            return None
        return f"{self.pdf_url}#page={page}" if page else self.pdf_url

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
                                coalesce(abstract, ''), source, pmid, doi, year, journal,
                                pmcid, preprint_id, pdf_url
                         FROM core.articles_current WHERE article_id = ?""", [article_id]).fetchone()
    if row is None:
        return None
    (article_id, version, digest, title, abstract, source, pmid, doi, year, journal,
     pmcid, preprint_id, pdf_url) = row
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
        if not all(e.in_text for e in evidence):
            locate_in_full_text(con, article_id, version, evidence)
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
                  extractor_version, fields, [f for f in flags if f.field is None], evidence,
                  pmcid, preprint_id, pdf_url)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of `text` holding [start, end)."""
    left = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        left = match.end()
    right = _SENTENCE_END.search(text, end)
    return " ".join(text[left:right.start() if right else len(text)].split())


def locate_in_full_text(con, article_id: str, version: int, evidence: list[Evidence]) -> None:
    """For evidence quoted from the full text: its sentence, section and PDF page, in place."""
    row = con.execute("""SELECT sections FROM core.pdf_documents
                         WHERE article_id = ? AND article_version = ?
                         ORDER BY parsed_at DESC LIMIT 1""", [article_id, version]).fetchone()
    sections = _json(row[0]) if row else []
    for e in evidence:
        if e.in_text:
            continue
        needle = " ".join(e.text.split())
        for section in sections or []:
            text = " ".join(str(section.get("text") or "").split())
            at = text.find(needle)
            if at < 0:
                at = text.lower().find(needle.lower())
            if at >= 0:
                e.sentence = _sentence_around(text, at, at + len(needle))
                e.section = section.get("name")
                e.page = section.get("page_start")
                break


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


def next_in_queue(con, after: str | None = None, at: int | None = None) -> str | None:
    """The record to curate after `after`: the next one in queue order, wrapping around.

    `at` is the 1-based place `after` had in the queue when the curator opened it: once every
    flag of `after` is resolved it leaves the queue, and the next record is the one that now
    stands at that place, not the top of the queue (which may hold records they skipped)."""
    ids = [item.article_id for item in queue(con)]
    if not ids:
        return None
    if after in ids:
        i = ids.index(after)
        rest = ids[i + 1:] + ids[:i]
        return rest[0] if rest else None
    if at and at >= 1:
        return ids[at - 1] if at <= len(ids) else ids[0]
    return ids[0]


@dataclass
class Filters:
    """What the browse page narrows every current record down to."""
    q: str = ""                    # words in the title, abstract, authors, journal, PMID or DOI
    design: str = ""
    target_group: str = ""
    relevant: str = ""             # "yes" | "no" | "unknown" | ""
    flagged: str = ""              # "yes" | "no" | ""
    curated: str = ""              # "yes" | "no" | ""
    source: str = ""               # "pubmed" | "europepmc" | ""


def browse(con, filters: Filters, limit: int = 200) -> tuple[list[dict], int]:
    """Every current record that matches `filters` (up to `limit`), and how many match."""
    where, params = [], []
    for word in filters.q.split()[:8]:
        where.append("""(a.title ILIKE ? OR a.abstract ILIKE ? OR a.journal ILIKE ? OR a.pmid = ?
                          OR lower(a.doi) = lower(?) OR array_to_string(a.authors, ' ') ILIKE ?
                          OR a.article_id = ?)""")
        like = f"%{word}%"
        params += [like, like, like, word, word, like, word]
    if filters.design:
        where.append("coalesce(ec.design, 'not reported') = ?")
        params.append(filters.design)
    if filters.target_group:
        where.append("list_contains(ec.target_groups, ?)")
        params.append(filters.target_group)
    if filters.relevant in ("yes", "no"):
        where.append("ec.relevant = ?")
        params.append(filters.relevant == "yes")
    elif filters.relevant == "unknown":
        where.append("ec.relevant IS NULL")
    flagged = """(json_array_length(coalesce(ec.flags, '[]')) > 0
                  OR EXISTS (SELECT 1 FROM ops.flags f WHERE f.record_id = a.article_id))"""
    if filters.flagged in ("yes", "no"):
        where.append(flagged if filters.flagged == "yes" else f"NOT {flagged}")
    if filters.curated in ("yes", "no"):
        where.append(("" if filters.curated == "yes" else "NOT ") + "len(ec.curated_fields) > 0")
    if filters.source:
        where.append("a.source = ?")
        params.append(filters.source)
    sql = f"""FROM core.articles_current a JOIN core.evidence_current ec ON ec.article_id = a.article_id
              {'WHERE ' + ' AND '.join(where) if where else ''}"""
    total = con.execute(f"SELECT count(*) {sql}", params).fetchone()[0]
    cursor = con.execute(f"""SELECT a.article_id, coalesce(a.title, '') AS title, a.year, a.source,
                                    ec.relevant, ec.design, ec.target_groups, ec.curated_fields,
                                    {flagged} AS flagged
                             {sql} ORDER BY a.year DESC NULLS LAST, a.article_id LIMIT {int(limit)}""",
                         params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()], total
