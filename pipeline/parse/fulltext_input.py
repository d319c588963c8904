"""A parsed full text (JATS or PDF) as the extractor's `full_text` input, and the way back: from
an evidence item's (section, offsets) to where in the document it was read.

    extractor_sections(parsed) -> [{"name", "text"}]
    locate(parsed, section, start) -> {"source": "abstract"}
        | {"source": "full_text", "section", "title", "paragraph", "page"}
        | {"source": "table", "table", "row", "column"}

Sections are passed with their text as parsed. Tables other than a review's evidence table
(whose rows describe other studies, and become evidence rows instead) are passed as one
section each, named "results / Table N", one line per body row written "header: cell; ...",
so a value read from a table points back to its row and column. Both functions build the same
layout, so offsets always map back. Section names are unique within a document (the parsers
number repeats), which is what makes the name a key.
"""

from __future__ import annotations

import bisect


def _table_name(table: dict, index: int) -> str:
    label = (table.get("label") or "").strip().rstrip(".") or f"Table {index + 1}"
    return f"results / {label}"


def _table_text(table: dict) -> tuple[str, list[tuple[int, int, int, str]]]:
    """The rendered table and its cells as (start, row, column index, column header)."""
    header = table.get("header") or []
    lines, cells, offset = [], [], 0
    for r, row in enumerate(table.get("rows") or []):
        parts, pos = [], offset
        for c, cell in enumerate(row):
            cell = (cell or "").strip()
            if not cell:
                continue
            name = (header[c] if c < len(header) else "").strip()
            prefix = f"{name}: " if name else ""
            if parts:
                pos += 2   # "; "
            cells.append((pos, r, c, name))   # a match on "header: value" or "value" alike
            parts.append(prefix + cell)
            pos += len(prefix) + len(cell)
        line = "; ".join(parts) + "."
        lines.append(line)
        offset += len(line) + 1
    return "\n".join(lines), cells


def _is_evidence(table: dict) -> bool:
    from .evidence_table import is_evidence_table
    return is_evidence_table(table.get("header") or [])


def _tables(parsed: dict):
    taken = set()
    for index, table in enumerate(parsed.get("tables") or []):
        if not table.get("rows") or _is_evidence(table):
            continue
        name = _table_name(table, index)
        while name in taken:
            name += "'"
        taken.add(name)
        yield name, table


def extractor_sections(parsed: dict) -> list[dict]:
    """The document as the extractor's `full_text`: [{"name", "text"}] (see module docstring)."""
    out = [{"name": s["name"], "text": s["text"]} for s in parsed.get("sections") or []
           if (s.get("text") or "").strip()]
    for name, table in _tables(parsed):
        text, _ = _table_text(table)
        if text.strip():
            out.append({"name": name, "text": text})
    return out


def locate(parsed: dict | None, section: str | None, start: int) -> dict:
    """Where the evidence starting at `start` of `section` was read (see module docstring)."""
    if section is None or parsed is None:
        return {"source": "abstract"}
    for s in parsed.get("sections") or []:
        if s["name"] == section:
            spans = s.get("paragraphs") or []
            paragraph = None
            if spans:
                paragraph = max(1, bisect.bisect_right([a for a, _ in spans], start))
            return {"source": "full_text", "format": parsed.get("format", "pdf"), "section": section,
                    "title": s.get("title"), "paragraph": paragraph, "page": s.get("page_start")}
    for name, table in _tables(parsed):
        if name == section:
            _, cells = _table_text(table)
            i = bisect.bisect_right([c[0] for c in cells], start) - 1
            if i < 0:
                break
            _, row, column, header = cells[i]
            return {"source": "table", "format": parsed.get("format", "pdf"),
                    "table": name.split(" / ", 1)[1], "row": row + 1, "column": column + 1,
                    "header": header, "page": table.get("page")}
    return {"source": "full_text", "section": section}
