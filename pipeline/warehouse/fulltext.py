"""Rows for the full-text tables (core.pdf_documents, core.pdf_tables, core.evidence_rows) from
a staged, parsed PDF. Keyed by article version and PDF hash, so a reload changes nothing."""

from __future__ import annotations

import json


def fulltext_rows(article_id: str, version: int, staged: dict, run_id: str, now) -> dict[str, list]:
    parsed, digest = staged["parsed"], staged["sha256"]
    pages = max([s.get("page_start") or 0 for s in parsed.get("sections", [])] +
                [t.get("page") or 0 for t in parsed.get("tables", [])] + [0]) or None
    document = [article_id, version, staged["pdf_url"], digest, parsed.get("pages", pages),
                json.dumps(parsed.get("sections", [])), json.dumps(parsed.get("references", [])),
                run_id, now]
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
