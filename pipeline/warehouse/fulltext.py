"""Rows for the full-text tables from a staged full-text line and an extraction:

* `fulltext_rows`: core.pdf_documents (PDF, JATS or HTML), core.pdf_tables, core.evidence_rows,
  keyed by article version and document hash, so a reload changes nothing;
* `status_row`: ops.fulltext_status, the state that decides when the text is looked for again;
* `location_rows` / `source_rows`: core.evidence_locations and core.extraction_sources;
* `stored_fulltexts`: the parsed documents back from the warehouse, so that re-extraction by a
  new extractor version reads the full text too instead of silently dropping its values.
"""

from __future__ import annotations

import json
from datetime import timedelta

RETRY_AFTER = timedelta(days=1)          # a transient failure: the next night
RECHECK_CLOSED_AFTER = timedelta(days=7)  # closed today, perhaps open access next week
MAX_TRANSIENT_ATTEMPTS = 7


def fulltext_rows(article_id: str, version: int, staged: dict, run_id: str, now) -> dict[str, list]:
    parsed, digest = staged["parsed"], staged["sha256"]
    pages = max([s.get("page_start") or 0 for s in parsed.get("sections", [])] +
                [t.get("page") or 0 for t in parsed.get("tables", [])] + [0]) or None
    url = staged.get("url") or staged.get("pdf_url")
    document = [article_id, version, url, digest, parsed.get("pages", pages),
                json.dumps(parsed.get("sections", [])), json.dumps(parsed.get("references", [])),
                run_id, now, staged.get("format", "pdf"), staged.get("licence")]
    tables = [[article_id, version, digest, index, table.get("page"),
               [float(x) for x in table.get("bbox") or []], table.get("caption"),
               [str(h) for h in table.get("header") or []], json.dumps(table.get("rows", []))]
              for index, table in enumerate(parsed.get("tables", []))]
    rows = [[article_id, version, digest, index, row.get("ref"), row.get("author"), row.get("year"),
             row.get("design"), row.get("sample_size"), row.get("targets") or [],
             row.get("target_groups") or [], row.get("guidance") or [], row.get("follow_up_days"),
             row.get("outcome_text"), row.get("doi")]
            for index, row in enumerate(parsed.get("evidence_rows", []))]
    return {"core.pdf_documents": [document], "core.pdf_tables": tables, "core.evidence_rows": rows}


def status_row(article_id: str, article, staged: dict, previous_attempts: int, run_id: str, now) -> list:
    """The ops.fulltext_status row after this attempt (see the migration for the states)."""
    status = staged.get("status") or ("failed" if "quarantine" in staged else "read")
    attempts = previous_attempts + 1 if status == "retry" else 0
    if status == "retry" and attempts >= MAX_TRANSIENT_ATTEMPTS:
        next_try = None           # kept as "retry" with the reason, but no longer scheduled
    elif status == "retry":
        next_try = now + RETRY_AFTER
    elif status == "not_open_access":
        next_try = now + RECHECK_CLOSED_AFTER
    else:
        next_try = None
    reason = staged.get("reason") or (staged.get("quarantine") or {}).get("reason")
    return [article_id, article.source, article.source_id, status, staged.get("format"),
            staged.get("url") or staged.get("pdf_url"), reason, attempts, now, next_try, run_id]


def location_rows(article_id: str, version: int, extraction: dict) -> list[list]:
    rows = []
    for field, items in (extraction.get("evidence") or {}).items():
        for ordinal, item in enumerate(items):
            loc = item.get("location") or {"source": "abstract" if not item.get("section") else "full_text",
                                           "section": item.get("section")}
            rows.append([article_id, version, extraction["extractor_version"], field, ordinal,
                         loc.get("source"), loc.get("section"), loc.get("paragraph"), loc.get("table"),
                         loc.get("row"), loc.get("header"), loc.get("page")])
    return rows


def source_rows(article_id: str, version: int, extraction: dict) -> list[list]:
    return [[article_id, version, extraction["extractor_version"], s["field"],
             json.dumps(s["abstract"]), json.dumps(s["full_text"]), s["shown"], s["disagree"],
             extraction.get("full_text_sha256")]
            for s in extraction.get("field_sources") or []]


def stored_fulltexts(con, keys: list[tuple[str, int]]) -> dict[tuple[str, int], dict]:
    """{(article_id, version): staged line} for the newest stored document of each version."""
    if not keys:
        return {}
    rows = con.execute("""
        SELECT d.article_id, d.article_version, d.pdf_url, d.pdf_sha256, d.sections::VARCHAR,
               d.references_list::VARCHAR, d.format, d.licence,
               (SELECT list({'page': t.page, 'caption': t.caption, 'header': t.header,
                             'rows': t.rows::VARCHAR} ORDER BY t.table_index)
                FROM core.pdf_tables t WHERE t.article_id = d.article_id
                 AND t.article_version = d.article_version AND t.pdf_sha256 = d.pdf_sha256)
        FROM core.pdf_documents d
        JOIN (SELECT unnest(?) AS article_id, unnest(?) AS article_version) k
          USING (article_id, article_version)
        QUALIFY row_number() OVER (PARTITION BY d.article_id, d.article_version
                                   ORDER BY d.parsed_at DESC) = 1""",
                       [[k[0] for k in keys], [k[1] for k in keys]]).fetchall()
    out = {}
    for article_id, version, url, digest, sections, references, fmt, licence, tables in rows:
        parsed = {"format": fmt or "pdf", "sections": json.loads(sections),
                  "references": json.loads(references),
                  "tables": [{"page": t["page"], "caption": t["caption"], "header": t["header"],
                              "label": (t["caption"] or "").split(".")[0] if fmt in ("jats", "html") else None,
                              "rows": json.loads(t["rows"])} for t in tables or []]}
        out[(article_id, version)] = {"status": "read", "format": fmt, "url": url, "sha256": digest,
                                      "licence": licence, "parsed": parsed}
    return out


def fulltext_summary(con) -> list[str]:
    """Lines for `make demo`: full texts read, closed or retried, and what they added."""
    lines = []
    states = con.execute("""SELECT status, coalesce(format, '-'), count(*) FROM ops.fulltext_status
                            GROUP BY ALL ORDER BY 1, 2""").fetchall()
    if not states:
        return ["full texts: none looked for"]
    lines.append("full texts: " + ", ".join(f"{n} {status}" + (f" ({fmt})" if fmt != "-" else "")
                                            for status, fmt, n in states))
    added = con.execute("""
        SELECT s.field, count(*) FILTER (WHERE coalesce(s.abstract_value::VARCHAR, 'null') IN ('null', '[]')
                                           AND coalesce(s.full_text_value::VARCHAR, 'null') NOT IN ('null', '[]')
                                           AND s.shown = 'full_text'),
               count(*) FILTER (WHERE s.disagree)
        FROM core.extraction_sources s
        JOIN core.extractions_latest e USING (article_id, article_version, extractor_version)
        GROUP BY 1 ORDER BY 1""").fetchall()
    if added:
        lines.append("  values only the full text gave: "
                     + (", ".join(f"{f} {a}" for f, a, _ in added if a) or "none"))
        lines.append("  fields where abstract and full text disagree: "
                     + (", ".join(f"{f} {d}" for f, _, d in added if d) or "none"))
    for article_id, field, a, f, shown in con.execute("""
            SELECT article_id, field, abstract_value::VARCHAR, full_text_value::VARCHAR, shown
            FROM core.fulltext_disagreements ORDER BY 1, 2 LIMIT 5""").fetchall():
        lines.append(f"  {article_id} {field}: abstract {a or 'none'}, full text {f or 'none'} ({shown.replace('_', ' ')} shown, flagged)")
    located = con.execute("""SELECT source, count(*) FROM core.evidence_locations l
                             JOIN core.extractions_latest e USING (article_id, article_version, extractor_version)
                             GROUP BY 1 ORDER BY 1""").fetchall()
    lines.append("  evidence read from: " + ", ".join(f"{src} {n}" for src, n in located))
    rows = con.execute("""SELECT d.format, count(*) FROM core.evidence_rows r JOIN core.pdf_documents d
                          USING (article_id, article_version, pdf_sha256) GROUP BY 1""").fetchall()
    if rows:
        lines.append("  review evidence-table rows: " + ", ".join(f"{n} from {fmt}" for fmt, n in rows))
    return lines
