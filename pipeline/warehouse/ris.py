"""Included records as RIS, the citation format reference managers import (Zotero, EndNote,
Mendeley, Rayyan, Covidence).

What: `to_ris(records)` yields, record by record, the RIS text of dicts (title, authors, year,
journal, doi, pmid, urls, design, target groups, abstract): one `TY  - JOUR` ... `ER  - ` block
per record, with PubMed, DOI and full-text links as UR lines; a generator, so 100k records are
streamed to the file instead of held as one string. Why by hand: RIS is a line format of two-letter
tags; a tag per line, values on one line (newlines in a title would start a bogus tag).
The nightly export renders the same bytes in DuckDB (`ris_sql.py`); this is the reference its
tests compare it with.
"""

from __future__ import annotations

from typing import Iterable, Iterator


def _one_line(value) -> str:
    return " ".join(str(value).split())


def to_ris(records: Iterable[dict]) -> Iterator[str]:
    """The RIS text of `records`, one record's block at a time (write them out in order; the
    blocks joined are the file). A generator, so a long list never sits in memory as text."""
    for i, r in enumerate(records):
        out = [""] if i else []   # joined below: the blank line between two records
        kind = "JOUR" if r.get("journal") else ("UNPB" if r.get("preprint_id") else "GEN")
        lines = [("TY", kind), ("TI", r.get("title"))]
        lines += [("AU", a) for a in (r.get("authors") or []) if a]
        lines += [("PY", r.get("year")), ("JO", r.get("journal")), ("DO", r.get("doi")),
                  ("AN", f"PMID:{r['pmid']}" if r.get("pmid") else r.get("preprint_id")),
                  ("AB", r.get("abstract"))]
        lines += [("UR", r.get(k)) for k in ("pubmed_url", "doi_url", "full_text_url", "pdf_url")]
        lines += [("KW", k) for k in (r.get("keywords") or []) if k]
        lines += [("N1", r.get("note")), ("ID", r.get("article_id"))]
        out += [f"{tag}  - {_one_line(value)}" for tag, value in lines
                if value is not None and _one_line(value)]
        out.append("ER  - ")
        out.append("")
        yield "\r\n".join(out)
