"""JATS full-text XML (PMC `efetch db=pmc`, Europe PMC `/{PMCID}/fullTextXML`) -> the same
document shape as a parsed PDF, with paragraphs and table cells addressable:

    parse_jats(data) -> {
        "format": "jats", "open_access": bool, "ids": {"pmcid", "pmid", "doi"},
        "licence": {"type", "url", "text"} | None,
        "sections":      [{"name", "title", "sec_type", "text", "paragraphs": [[start, end]],
                           "page_start": None}],
        "tables":        [{"label", "caption", "legend", "header", "rows", "page": None,
                           "bbox": [], "continued_pages": []}],
        "evidence_rows": [...as parse_pdf...], "references": [...as parse_pdf...],
    }

* A reply without `<body>` is metadata only: NCBI answers so, with HTTP 200, for an article
  whose publisher does not allow the full text; `open_access` is then False and nothing else
  is read. That is "not open access", not an error.
* Sections: every `<sec>` with paragraphs of its own is one section, named from `sec-type`
  (methods, results, ...) or its title; a nested section is "parent / title". A section's text
  is its paragraphs joined by blank lines, and `paragraphs` holds each one's offsets in it.
* Tables: `table-wrap` -> label, caption, header rows (thead, or leading all-`th` rows; several
  header rows are joined per column), body rows with row and column spans repeated into every
  cell they cover, and `table-wrap-foot` as the legend. Citations in cells become "[N]".
  A review's table whose header maps onto the extraction fields becomes evidence rows, linked
  to the reference list as a PDF's are.
* Inline markup goes through `inline_markup` like every other source.
* Safety: entity declarations in the document are refused (no entity expansion), external
  DTDs are never read, and the usual named entities of JATS (`&nbsp;`, `&mdash;`...) are known.
"""

from __future__ import annotations

import html.entities
import re
import xml.etree.ElementTree as ET

from .inline_markup import Node, from_element, render
from .references import reference

MAX_BYTES = 30 * 1024 * 1024
SECTION_TYPES = [("methods", r"method|material|patients|participants|subjects|design|procedure"),
                 ("results", r"result|finding"), ("introduction", r"intro|background"),
                 ("discussion", r"discussion"), ("conclusions", r"conclu|summary"),
                 ("case report", r"^cases?\b|case (?:report|presentation|description)")]
SKIPPED = {"table-wrap", "fig", "table-wrap-group", "fig-group", "supplementary-material",
           "disp-formula-group"}


class JatsError(ValueError):
    """A JATS document that cannot be read; str(exc) is the quarantine reason."""


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _parse_xml(data: bytes) -> ET.Element:
    head = data[:4096]
    if b"<!ENTITY" in head.upper() or re.search(rb"<!DOCTYPE[^>]*\[", head):
        raise JatsError("refused: the document declares entities (internal DTD subset)")
    if b"<!DOCTYPE" not in head:
        # Named entities resolve only in a document with a DTD; declare an (unread) external one.
        decl = re.match(rb"\s*<\?xml[^>]*\?>", data)
        cut = decl.end() if decl else 0
        data = data[:cut] + b'<!DOCTYPE article SYSTEM "article.dtd">' + data[cut:]
    parser = ET.XMLParser()
    parser.entity.update({name: chr(cp) for name, cp in html.entities.name2codepoint.items()})
    try:
        parser.feed(data)
        return parser.close()
    except ET.ParseError as exc:
        raise JatsError(f"malformed JATS XML: {exc}") from exc


def _find(elem, name):
    return next((e for e in elem.iter() if _local(e.tag) == name), None)


def _children(elem, *names):
    return [c for c in elem if _local(c.tag) in names]


def _text(elem, xref=None) -> str:
    if elem is None:
        return ""
    node = _without(from_element(elem), SKIPPED)
    if xref is not None:
        node = _unwrap_citation_sups(node)
    return re.sub(r"\s+", " ", render(node, xref)).strip()


def _without(node: Node, skipped: set[str]) -> Node:
    node.children = [c if isinstance(c, str) else _without(c, skipped) for c in node.children
                     if isinstance(c, str) or c.tag not in skipped]
    return node


def section_name(sec_type: str | None, title: str) -> str:
    for kind in re.split(r"[|\s]+", (sec_type or "").lower()):
        for name, pattern in SECTION_TYPES:
            if kind and re.search(pattern, kind):
                return name
    lowered = title.lower().strip()
    for name, pattern in SECTION_TYPES:
        if re.search(pattern, lowered):
            return name
    return re.sub(r"[^a-z0-9]+", " ", lowered).strip() or "body"


def _licence(meta) -> dict | None:
    if meta is None:
        return None
    lic = _find(meta, "license")
    if lic is None:
        return None
    url = next((v for k, v in lic.attrib.items() if _local(k) == "href"), None)
    ref = _find(lic, "license_ref")
    if ref is not None and (ref.text or "").strip():
        url = ref.text.strip()
    text = " ".join(_text(p) for p in lic.iter() if _local(p.tag) == "license-p") or None
    return {"type": lic.attrib.get("license-type"), "url": url, "text": text}


def _ids(meta) -> dict:
    ids = {}
    for e in meta.iter() if meta is not None else []:
        if _local(e.tag) == "article-id":
            kind, value = e.attrib.get("pub-id-type"), (e.text or "").strip()
            if kind in ("pmc", "pmcid") and value:
                ids["pmcid"] = value if value.upper().startswith("PMC") else "PMC" + value
            elif kind in ("pmid", "doi") and value:
                ids[kind] = value.lower() if kind == "doi" else value
    return ids


def _references(back) -> tuple[list[dict], dict[str, int]]:
    refs, by_id = [], {}
    if back is None:
        return refs, by_id
    for ref in (e for e in back.iter() if _local(e.tag) == "ref"):
        label = _text(_find(ref, "label")).strip("[]. ")
        number = int(label) if label.isdigit() else len(refs) + 1
        citation = next((e for e in ref if _local(e.tag) in ("mixed-citation", "element-citation",
                                                                  "citation", "nlm-citation")), ref)
        loose = (citation.text or "").strip() or any((c.tail or "").strip() for c in citation)
        if not loose:   # a structured citation: no punctuation between its elements

            text = " ".join(t.strip() for t in citation.itertext() if t.strip())
        else:
            text = _text(citation)
        entry = reference(number, text)
        for pub_id in (e for e in citation.iter() if _local(e.tag) == "pub-id"):
            if pub_id.attrib.get("pub-id-type") == "doi" and pub_id.text:
                entry["doi"] = pub_id.text.strip().lower()
            elif pub_id.attrib.get("pub-id-type") == "pmid" and pub_id.text:
                entry["pmid"] = pub_id.text.strip()
        surname, year = _find(citation, "surname"), _find(citation, "year")
        if surname is not None and surname.text:
            entry["first_author"] = surname.text.strip()
        if year is not None and re.match(r"\d{4}", (year.text or "").strip()):
            entry["year"] = int(year.text.strip()[:4])
        refs.append(entry)
        if ref.attrib.get("id"):
            by_id[ref.attrib["id"]] = number
    return refs, by_id


def _citation_xref(by_id: dict[str, int]):
    def xref(node: Node) -> str | None:
        if node.attrs.get("ref-type") != "bibr":
            return None
        numbers = [by_id[r] for r in node.attrs.get("rid", "").split() if r in by_id]
        return "[" + ",".join(map(str, numbers)) + "]" if numbers else None
    return xref


def _unwrap_citation_sups(node: Node) -> Node:
    """<sup><xref>7</xref></sup> in a cell is a citation, not an exponent."""
    for child in node.children:
        if isinstance(child, Node):
            _unwrap_citation_sups(child)
    if node.tag in ("sup", "superscript"):
        elems = [c for c in node.children if isinstance(c, Node)]
        loose = "".join(c for c in node.children if isinstance(c, str))
        if elems and all(c.tag == "xref" for c in elems) and not re.sub(r"[\s,\u2013-]", "", loose):
            node.tag = "span"
    return node


def _cell_text(cell, xref) -> str:
    return re.sub(r"\s+", " ", render(_unwrap_citation_sups(from_element(cell)), xref)).strip()


def _grid(rows_elems, xref) -> tuple[list[list[str]], list[bool]]:
    """Rows of cell texts with spans repeated; and whether each row is all `th`."""
    grid: list[list[str | None]] = []
    header_like = []
    pending: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(rows_elems):
        row: list[str] = []
        cells = _children(tr, "td", "th")
        header_like.append(bool(cells) and all(_local(c.tag) == "th" for c in cells))
        col = 0
        for cell in cells:
            while (r, col) in pending:
                row.append(pending.pop((r, col)))
                col += 1
            text = _cell_text(cell, xref)
            rowspan = min(max(int(re.sub(r"\D", "", cell.attrib.get("rowspan", "1")) or 1), 1), 500)
            colspan = min(max(int(re.sub(r"\D", "", cell.attrib.get("colspan", "1")) or 1), 1), 100)
            for c in range(colspan):
                row.append(text)
                for k in range(1, rowspan):
                    pending[(r + k, col + c)] = text
            col += colspan
        while (r, col) in pending:
            row.append(pending.pop((r, col)))
            col += 1
        grid.append(row)
    width = max((len(r) for r in grid), default=0)
    return [r + [""] * (width - len(r)) for r in grid], header_like


def _table(wrap, xref) -> dict | None:
    table = _find(wrap, "table")
    if table is None:       # a table given only as an image
        return None
    head = [tr for t in _children(table, "thead") for tr in _children(t, "tr")]
    bodies = _children(table, "tbody") or [table]
    body = [tr for t in bodies for tr in _children(t, "tr")]
    head_rows, _ = _grid(head, xref)
    body_rows, header_like = _grid(body, xref)
    if not head_rows:
        n = 0
        while n < len(body_rows) - 1 and header_like[n]:
            n += 1
        n = n or (1 if len(body_rows) > 1 else 0)
        head_rows, body_rows = body_rows[:n], body_rows[n:]
    width = max([len(r) for r in head_rows + body_rows] or [0])
    head_rows = [r + [""] * (width - len(r)) for r in head_rows]
    header = [" ".join(dict.fromkeys(x for x in col if x)) for col in zip(*head_rows)] if head_rows else []
    label = _text(_find(wrap, "label")) or None
    caption_elem = _find(wrap, "caption")
    caption = _text(caption_elem) or None
    foot = _find(wrap, "table-wrap-foot")
    legend = _text(foot, xref) or None
    return {"label": label, "caption": " ".join(x for x in (label and label.rstrip(".") + ".", caption, legend) if x) or None,
            "legend": legend, "header": header, "rows": [[c for c in r] for r in body_rows],
            "page": None, "bbox": [], "continued_pages": []}


def _sections(body, xref) -> list[dict]:
    out: list[dict] = []
    seen: dict[str, int] = {}

    def add(name: str, title: str, sec_type: str | None, paragraphs: list[str]) -> None:
        paragraphs = [p for p in paragraphs if p]
        if not paragraphs:
            return
        seen[name] = seen.get(name, 0) + 1
        unique = name if seen[name] == 1 else f"{name} ({seen[name]})"
        spans, text = [], ""
        for p in paragraphs:
            if text:
                text += "\n\n"
            spans.append([len(text), len(text) + len(p)])
            text += p
        out.append({"name": unique, "title": title, "sec_type": sec_type, "text": text,
                    "paragraphs": spans, "page_start": None})

    def walk(elem, parent: str | None) -> None:
        title = _text(_find_direct(elem, "title"))
        sec_type = elem.attrib.get("sec-type")
        name = section_name(sec_type, title)
        if parent and parent != "body":
            name = parent if name == parent else f"{parent} / {name}"
        paragraphs = [_text(p, xref) for p in elem if _local(p.tag) in ("p", "list", "disp-quote")]
        add(name, title, sec_type, paragraphs)
        for child in _children(elem, "sec"):
            walk(child, name)

    loose = [_text(p, xref) for p in body if _local(p.tag) in ("p", "list", "disp-quote")]
    add("body", "", None, loose)
    for sec in _children(body, "sec"):
        walk(sec, None)
    return out


def _find_direct(elem, name):
    return next((c for c in elem if _local(c.tag) == name), None)


def parse_jats(data: bytes | str, *, max_bytes: int = MAX_BYTES) -> dict:
    """Parse one JATS document; raises JatsError with the reason when it cannot be read."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise JatsError(f"too large: {len(data)} bytes exceeds the limit of {max_bytes} bytes")
    if not data.strip():
        raise JatsError("empty JATS document")
    root = _parse_xml(data)
    article = root if _local(root.tag) == "article" else _find(root, "article")
    if article is None:
        error = _find(root, "error") or _find(root, "ERROR")
        raise JatsError("no <article> in the reply" + (f": {error.text.strip()}" if error is not None and error.text else ""))
    try:
        meta = _find(article, "article-meta")
        body = _find_direct(article, "body")
        back = _find_direct(article, "back")
        out = {"format": "jats", "open_access": body is not None, "ids": _ids(meta),
               "licence": _licence(meta), "sections": [], "tables": [], "evidence_rows": [],
               "references": []}
        if body is None:
            return out
        references, by_id = _references(back)
        xref = _citation_xref(by_id)
        out["references"] = references
        out["sections"] = _sections(body, xref)
        wraps = [e for e in article.iter() if _local(e.tag) == "table-wrap"]
        out["tables"] = [t for t in (_table(w, xref) for w in wraps) if t and t["rows"]]
    except RecursionError as exc:
        raise JatsError("malformed JATS XML: elements nested too deeply") from exc
    if out["tables"]:
        from .evidence_table import evidence_rows, is_evidence_table   # loads the vocabularies
        for t in out["tables"]:
            if is_evidence_table(t["header"]):
                out["evidence_rows"].extend(evidence_rows(t["header"], t["rows"], t["caption"], references))
    return out
