"""An article's full text as a web page (the HTML a preprint server or publisher links) -> the
same document shape as a parsed JATS text, so the extractor reads it the same way:

    parse_html(data) -> {
        "format": "html", "open_access": True, "title", "licence": {"type", "url", "text"} | None,
        "sections":      [{"name", "title", "sec_type": None, "text", "paragraphs": [[start, end]],
                           "page_start": None}],
        "tables":        [{"label", "caption", "legend", "header", "rows", "page": None,
                           "bbox": [], "continued_pages": []}],
        "evidence_rows": [...as parse_pdf...], "references": [...as parse_pdf...],
    }

Method (stdlib `html.parser`, no network, no scripts run)
* The page becomes a tree (unclosed `<p>`, `<li>`, `<td>`... closed as browsers do). Page
  furniture is left out: script, style, nav, header, footer, aside, form, figure and buttons,
  and blocks whose class or id names a menu, sidebar, banner, toolbar or share box.
* The article: from `<body>` down, while one child holds at least 70 % of the words in
  paragraphs, go into it; sidebars and related-article lists are left behind.
* Sections: a heading (h2-h6; h1 is the title) opens a section named as `jats` names one
  (methods, results, ... or its text in lower case); a heading under a higher one is
  "parent / name" (the parent's own name when they agree), a repeated name is numbered. The abstract is left out (the record's abstract is read on its own).
  Paragraphs (`<p>`, list items, definition items) are joined by blank lines with their offsets
  in `paragraphs`.
* Tables: `<table>` -> header rows (`<thead>`, or leading rows of `<th>` only; several header
  rows joined per column), body rows with row and column spans repeated into every cell they
  cover; caption from `<caption>` or the text just before the table starting "Table N" (label
  "Table N"); legend from `<tfoot>` and the notes after the table in its wrapper. A one-column
  or one-row table is layout, not data. A review's evidence table becomes evidence rows.
* References: the list under a "References" heading, numbered in order.
* Licence: a Creative Commons link in a sentence about the licence, else the page's
  `dc.rights` / `citation_license` / `rel="license"`.
* Inline markup (italic, sub/superscript) through `inline_markup`, as for every source.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .inline_markup import Node, render
from .references import reference

MAX_BYTES = 30 * 1024 * 1024
VOID = {"br", "img", "hr", "meta", "link", "input", "col", "area", "base", "source", "wbr", "param", "embed"}
FURNITURE = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "button", "svg",
             "head", "template", "select", "iframe", "object", "figure", "dialog", "canvas"}
_FURNITURE_CLASS = re.compile(r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|sidebar|breadcrumbs?|banner|cookie|"
                              r"toolbar|share|social|advert|ads|modal|popover|footer|masthead)(?:$|[\s_-])", re.I)
_CLOSES_P = {"p", "div", "ul", "ol", "dl", "table", "section", "article", "h1", "h2", "h3", "h4", "h5", "h6",
             "blockquote", "pre", "figure", "header", "footer", "nav", "aside", "hr", "form"}
_PARAGRAPHS = {"p", "li", "dd"}
_HEADING = re.compile(r"^h([1-6])$")
_TABLE_LABEL = re.compile(r"^\s*(Table\s+[A-Z]?\d+[A-Za-z]?)\b[.:]?\s*", re.I)
_CC = re.compile(r"https?://creativecommons\.org/(?:licenses|publicdomain)/[\w./-]+", re.I)


class HtmlError(ValueError):
    """A page that cannot be read as an article; str(exc) is the quarantine reason."""


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("document")
        self.stack = [self.root]
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "meta" and attrs.get("name"):
            self.meta.setdefault(attrs["name"].lower(), attrs.get("content", ""))
        if tag in _CLOSES_P:
            self._close_open("p", stop={"td", "th", "li", "div", "section", "article", "body"})
        if tag in ("li", "dd", "dt"):
            self._close_open(tag, stop={"ul", "ol", "dl"})
        if tag in ("td", "th"):
            self._close_open("td", stop={"tr", "table"})
            self._close_open("th", stop={"tr", "table"})
        if tag == "tr":
            self._close_open("tr", stop={"table", "thead", "tbody", "tfoot"})
        node = Node(tag, [], attrs)
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, [], {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)

    def _close_open(self, tag, stop):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return
            if self.stack[i].tag in stop:
                return


def _furniture(node: Node) -> bool:
    if node.tag in FURNITURE:
        return True
    if node.tag in ("div", "ul", "section", "span", "table"):
        names = f"{node.attrs.get('class', '')} {node.attrs.get('id', '')}"
        return bool(_FURNITURE_CLASS.search(names))
    return False


def _elements(node: Node):
    return [c for c in node.children if isinstance(c, Node) and not _furniture(c)]


def text_of(node) -> str:
    """Plain text of an element, inline markup rendered, white space collapsed."""
    if isinstance(node, str):
        return re.sub(r"\s+", " ", node)
    return re.sub(r"\s+", " ", render(_clean(node))).strip()


def _clean(node: Node) -> Node:
    return Node(node.tag, [c if isinstance(c, str) else _clean(c) for c in node.children
                           if isinstance(c, str) or not _furniture(c)], node.attrs)


def _paragraph_words(node: Node, memo: dict) -> int:
    key = id(node)
    if key not in memo:
        if node.tag in _PARAGRAPHS:
            memo[key] = len(text_of(node).split())
        else:
            memo[key] = sum(_paragraph_words(c, memo) for c in _elements(node))
    return memo[key]


def _article(root: Node) -> Node:
    memo: dict = {}
    node = root
    while True:
        total = _paragraph_words(node, memo)
        inner = max(_elements(node), key=lambda c: _paragraph_words(c, memo), default=None)
        if inner is None or total == 0 or _paragraph_words(inner, memo) < 0.7 * total:
            return node
        node = inner


def _rows(table: Node) -> tuple[list[list[str]], int]:
    """(rows with spans repeated, number of header rows)."""
    trs, head_rows = [], 0

    def walk(node, in_head):
        nonlocal head_rows
        for c in _elements(node):
            if c.tag == "tr":
                trs.append(c)
                head_rows += in_head
            elif c.tag in ("thead", "tbody", "tfoot"):
                if c.tag != "tfoot":
                    walk(c, 1 if c.tag == "thead" else 0)
            elif c.tag != "table" and c.tag != "caption":
                walk(c, in_head)
    walk(table, 0)
    grid: list[list[str]] = []
    pending: dict[int, tuple[int, str]] = {}      # column -> (rows still covered, text)
    all_th = []
    for tr in trs:
        row, col = [], 0
        cells = [c for c in _elements(tr) if c.tag in ("td", "th")]
        all_th.append(bool(cells) and all(c.tag == "th" for c in cells))
        for cell in cells:
            col = _spanned(pending, row, col)
            text = text_of(cell)
            span = _int(cell.attrs.get("colspan"))
            down = _int(cell.attrs.get("rowspan"))
            for k in range(span):
                row.append(text)
                if down > 1:
                    pending[col + k] = (down - 1, text)
            col += span
        _spanned(pending, row, col)
        grid.append(row)
    if not head_rows:
        while head_rows < len(all_th) - 1 and all_th[head_rows]:
            head_rows += 1
    width = max((len(r) for r in grid), default=0)
    return [r + [""] * (width - len(r)) for r in grid], head_rows


def _spanned(pending: dict, row: list, col: int) -> int:
    """Fill the cells that row spans from above cover at `col` on; the next free column."""
    while col in pending:
        left, text = pending[col]
        row.append(text)
        if left - 1 <= 0:
            del pending[col]
        else:
            pending[col] = (left - 1, text)
        col += 1
    return col


def _int(value) -> int:
    try:
        return max(1, min(int(value), 100))
    except (TypeError, ValueError):
        return 1


def _table(node: Node, before: list[Node], after: list[Node]) -> tuple[dict | None, set[int]]:
    """The table and the ids of the caption/notes elements it took from around it."""
    grid, head_rows = _rows(node)
    if len(grid) - head_rows < 1 or max((len(r) for r in grid), default=0) < 2:
        return None, set()
    used: set[int] = set()
    caption = next((text_of(c) for c in _elements(node) if c.tag == "caption"), "")
    if not caption:
        for prev in reversed(before[-2:]):
            t = text_of(prev)
            if _TABLE_LABEL.match(t):
                caption = t
                used.add(id(prev))
                break
    notes = [text_of(c) for c in _elements(node) if c.tag == "tfoot"]
    for nxt in after[:3]:
        if nxt.tag in ("p", "div", "span", "small") and not _HEADING.match(nxt.tag) and \
                not nxt.attrs.get("class", "").count("section") and len(text_of(nxt)) < 1500 and \
                not any(isinstance(c, Node) and c.tag == "table" for c in nxt.children):
            if _TABLE_LABEL.match(text_of(nxt)):
                break
            notes.append(text_of(nxt))
            used.add(id(nxt))
    header = [" ".join(dict.fromkeys(x for x in col if x)) for col in zip(*grid[:head_rows])] if head_rows \
        else [""] * len(grid[0])
    m = _TABLE_LABEL.match(caption)
    legend = " ".join(n for n in notes if n) or None
    return {"label": m.group(1) if m else None, "caption": caption or None, "legend": legend,
            "header": header, "rows": grid[head_rows:], "page": None, "bbox": [], "continued_pages": []}, used


def _licence(root: Node, meta: dict) -> dict | None:
    def walk(node):
        for c in node.children:
            if isinstance(c, Node):
                if c.tag in ("p", "div", "span", "section") and not any(
                        isinstance(x, Node) and x.tag in ("p", "div", "section") for x in c.children):
                    text = text_of(c)
                    if re.search(r"licen[cs]e", text, re.I):
                        hrefs = [a.attrs.get("href", "") for a in _iter(c) if a.tag == "a"]
                        url = next((h for h in hrefs if _CC.match(h)), None) or (_CC.search(text) or [None])[0]
                        if url:
                            return {"type": "open-access", "url": url, "text": text[:500]}
                found = walk(c)
                if found:
                    return found
        return None
    found = walk(root)
    if found:
        return found
    for key in ("dc.rights", "citation_license", "dcterms.license"):
        if _CC.match(meta.get(key, "")):
            return {"type": "open-access", "url": meta[key], "text": None}
    link = next((n.attrs.get("href") for n in _iter(root) if n.tag in ("a", "link")
                 and "license" in n.attrs.get("rel", "").lower()), None)
    return {"type": None, "url": link, "text": None} if link else None


def _iter(node: Node):
    for c in node.children:
        if isinstance(c, Node):
            yield c
            yield from _iter(c)


def parse_html(data: bytes | str) -> dict:
    """Parse one article page; raises HtmlError for a page with no article text."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise HtmlError(f"too large: {len(data)} bytes exceeds the limit of {MAX_BYTES} bytes")
        m = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", data[:4096], re.I)
        try:
            data = data.decode(m.group(1).decode() if m else "utf-8", errors="replace")
        except LookupError:
            data = data.decode("utf-8", errors="replace")
    tree = _Tree()
    tree.feed(data)
    tree.close()
    article = _article(tree.root)
    out = _document(article, tree)
    if not out["title"]:       # the heading often stands outside the article's text block
        out["title"] = next((t for t in (text_of(n) for n in _iter(tree.root) if n.tag == "h1")
                             if len(t.split()) >= 4), None)
    return out


def _document(article: Node, tree: _Tree) -> dict:
    from .jats import section_name
    title = tree.meta.get("citation_title") or ""
    sections: list[dict] = []
    tables: list[dict] = []
    ref_texts: list[str] = []
    heads: list[tuple[int, str]] = []      # open headings: (level, name)
    current: dict | None = None
    used: set[int] = set()

    seen: dict[str, int] = {}

    def open_section(level: int, text: str):
        nonlocal current
        while heads and heads[-1][0] >= level:
            heads.pop()
        name = section_name(None, text)
        if heads:    # named as JATS names a nested section
            parent = heads[-1][1]
            name = parent if name == parent else f"{parent} / {name}"
        heads.append((level, name))
        if current is not None and current["name"].split(" (")[0] == name:
            return                      # a sub-heading named like its section: the same section
        seen[name] = seen.get(name, 0) + 1
        unique = name if seen[name] == 1 else f"{name} ({seen[name]})"
        current = {"name": unique, "title": text, "sec_type": None, "parts": [], "page_start": None}
        sections.append(current)

    def walk(node: Node):
        nonlocal title
        kids = _elements(node)
        for i, c in enumerate(kids):
            if id(c) in used:
                continue
            h = _HEADING.match(c.tag)
            if h:
                text = text_of(c)
                if not text:
                    continue
                if h.group(1) == "1":
                    title = title or text
                else:
                    open_section(int(h.group(1)), text)
                continue
            if c.tag == "table":
                table, took = _table(c, kids[:i], kids[i + 1:])
                used.update(took)
                if table:
                    tables.append(table)
                continue
            if c.tag in _PARAGRAPHS and not any(isinstance(x, Node) and (x.tag == "table" or _HEADING.match(x.tag))
                                                for x in _iter(c)):
                text = text_of(c)
                if text and current is not None:
                    (ref_texts if current["name"] == "references" else current["parts"]).append(text)
                continue
            walk(c)
    walk(article)
    out_sections = []
    for s in sections:
        if s["name"].split(" / ")[0] in ("abstract", "references") or not s["parts"]:
            continue
        text, spans, pos = "", [], 0
        for part in s.pop("parts"):
            if text:
                text += "\n\n"
                pos += 2
            spans.append([pos, pos + len(part)])
            text += part
            pos += len(part)
        out_sections.append(dict(s, text=text, paragraphs=spans))
    if not out_sections:
        raise HtmlError("no article text: the page has no headed sections with paragraphs")
    references = [reference(n, re.sub(r"^\s*\[?\d{1,3}[.\]]\s*", "", t)) for n, t in enumerate(ref_texts, 1)]
    out = {"format": "html", "open_access": True, "title": title or None,
           "licence": _licence(tree.root, tree.meta), "sections": out_sections, "tables": tables,
           "evidence_rows": [], "references": references}
    if tables:
        from .evidence_table import evidence_rows, is_evidence_table   # loads the vocabularies
        for t in tables:
            if is_evidence_table(t["header"]):
                notes = "; ".join(x for x in (t["caption"], t["legend"]) if x) or None
                out["evidence_rows"].extend(evidence_rows(t["header"], t["rows"], notes, references))
    return out
