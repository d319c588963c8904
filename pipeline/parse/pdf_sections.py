"""Sections of an article from its lines in reading order: title, front matter, abstract,
introduction, methods, results, discussion, conclusions, references, ... by heading detection.

Method
* A known heading is a short line (at most 8 words) whose text, without numbering ("2.",
  "3.1", "IV.") or a trailing colon, is a known section name (Abstract, Introduction /
  Background, Methods / Materials and methods / Patients and methods, Results, Discussion,
  Conclusion(s), References / Bibliography, Acknowledgements, Funding, ...) and that stands out
  from the body text: bold, larger than the body, in capitals, or set in another face than the
  lines on both sides of it at their size (back matter in small type).
* The style (font, size) most known headings share is the section-heading style; any other short
  line in that style that does not end like a sentence is a section heading too (its name is its
  text, lower case: "case presentation"). Sub-headings in another style stay inside their
  section.
* Title: the largest lines at the top of page 1, when larger than the body text. Lines between
  the title and the first heading are "front_matter" (authors, affiliations). When there is no
  "Abstract" heading, a line starting "Abstract" opens the abstract.
* Text: lines joined with the document's de-hyphenation; a paragraph break becomes "\\n".
"""

from __future__ import annotations

import re
from collections import Counter

from .pdf_layout import Line
from .pdf_text import Dehyphenator, join_lines

KNOWN = [
    ("abstract", r"abstract|summary"),
    ("introduction", r"introduction|background"),
    ("methods", r"methods?|materials?(?:\s+and\s+methods?)?|patients?\s+and\s+methods?|methodology|"
                r"methods?\s+and\s+materials?|subjects\s+and\s+methods?|study\s+design"),
    ("results", r"results?|findings"),
    ("discussion", r"discussion|general\s+discussion"),
    ("conclusions", r"conclusions?|concluding\s+remarks"),
    ("references", r"references?|bibliography|literature\s+cited|works\s+cited|reference\s+list"),
    ("acknowledgements", r"acknowledge?ments?"),
    ("funding", r"funding|financial\s+support"),
    ("case presentation", r"case\s+(?:presentation|reports?|descriptions?)"),
]
_KNOWN_RES = [(name, re.compile(rf"^(?:{pat})$", re.I)) for name, pat in KNOWN]
_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s+")
_ABSTRACT_START = re.compile(r"^\s*(?:abstract|summary)\b[\s:.\u2014-]*", re.I)


def heading_text(text: str) -> str:
    return _NUMBERING.sub("", text).strip().rstrip(":").strip()


def known_name(text: str) -> str | None:
    t = " ".join(heading_text(text).split())
    for name, rx in _KNOWN_RES:
        if rx.match(t):
            return name
    return None


def body_size(lines: list[Line]) -> float:
    c: Counter = Counter()
    for ln in lines:
        c[ln.size] += len(ln.text)
    return c.most_common(1)[0][0] if c else 10.0


def _stands_out(ln: Line, body: float) -> bool:
    letters = [c for c in heading_text(ln.text) if c.isalpha()]
    return ln.bold or ln.size >= body + 0.8 or (len(letters) > 3 and all(c.isupper() for c in letters))


def _set_apart(lines: list[Line], i: int) -> bool:
    """Set in another face than the lines on both sides of it, at their size or larger: back
    matter in small type often marks its headings ("References", "Funding") only so."""
    ln = lines[i]
    near = [lines[j] for j in (i - 1, i + 1) if 0 <= j < len(lines) and lines[j].page == ln.page]
    return len(near) == 2 and all(n.style[0] != ln.style[0] and n.size <= ln.size + 0.2 for n in near)


def split_sections(lines: list[Line], dehyph: Dehyphenator) -> list[dict]:
    """-> [{"name", "text", "page_start" (1-based), "lines"}] in document order."""
    if not lines:
        return []
    body = body_size(lines)
    known: dict[int, str] = {}
    for i, ln in enumerate(lines):
        if len(ln.text.split()) <= 8 and (_stands_out(ln, body) or _set_apart(lines, i)):
            name = known_name(ln.text)
            if name:
                known[i] = name
    styles = Counter(lines[i].style for i, n in known.items() if n != "abstract")
    head_style = styles.most_common(1)[0][0] if styles else None
    heads: dict[int, str] = dict(known)
    if head_style:
        for i, ln in enumerate(lines):
            if i in heads or ln.style != head_style or len(ln.text.split()) > 12:
                continue
            if ln.text.rstrip().endswith((".", ",", ";")) and not _NUMBERING.match(ln.text):
                continue
            if _stands_out(ln, body):
                heads[i] = heading_text(ln.text).lower()

    first_head = min(heads) if heads else len(lines)
    sections: list[dict] = []
    # title: the largest lines at the top of the first page
    pre = [ln for ln in lines[:first_head]]
    title_idx: list[int] = []
    if pre:
        p0 = [i for i, ln in enumerate(pre) if ln.page == pre[0].page]
        biggest = max(pre[i].size for i in p0)
        if biggest >= body + 1.5:
            for i in p0:
                if pre[i].size >= biggest - 0.5:
                    title_idx.append(i)
                elif title_idx:
                    break
    if title_idx:
        tl = [pre[i] for i in title_idx]
        sections.append({"name": "title", "lines": tl, "page_start": tl[0].page})
    rest = [ln for i, ln in enumerate(pre) if i not in set(title_idx)]
    if rest:
        # no "Abstract" heading: a line starting "Abstract" opens it
        k = next((j for j, ln in enumerate(rest) if _ABSTRACT_START.match(ln.text)
                  and "abstract" not in heads.values()), None)
        if k is not None:
            if rest[:k]:
                sections.append({"name": "front_matter", "lines": rest[:k], "page_start": rest[0].page})
            ab = rest[k:]
            first = ab[0]
            stripped = _ABSTRACT_START.sub("", first.text)
            ab_lines = ([Line(first.words, first.page, first.col).finish()] if stripped else []) + ab[1:]
            if stripped:
                ab_lines[0].text = stripped
            sections.append({"name": "abstract", "lines": ab_lines, "page_start": first.page})
        else:
            sections.append({"name": "front_matter", "lines": rest, "page_start": rest[0].page})
    order = sorted(heads)
    for n, i in enumerate(order):
        end = order[n + 1] if n + 1 < len(order) else len(lines)
        sections.append({"name": heads[i], "lines": lines[i + 1: end], "page_start": lines[i].page})
    # merge repeated names (e.g. two "results" headings) keeps both; fill text
    for s in sections:
        if s["name"] == "title":
            s["text"] = " ".join(ln.text for ln in s["lines"])
        else:
            s["text"] = join_lines(s["lines"], dehyph)
        s["page_start"] = s["page_start"] + 1
    return sections
