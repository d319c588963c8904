"""PDF text from lines: line-end hyphenation repaired from the document's own vocabulary, and
lines joined into paragraphs.

Method
* Hyphenation at line ends: "cryo-" + "neurolysis" -> "cryoneurolysis" unless the hyphenated
  form occurs elsewhere in the document or the joined one never does while a compound prefix
  ("non-", "self-", ...) is involved; a hyphen after a digit or capital is kept.
* Paragraphs: a break where the vertical gap in a column is clearly larger than the line pitch
  (1.35 x the median), or where a short bold line meets a regular one (run-in headings).
"""

from __future__ import annotations

import re

from .pdf_layout import Line

_KEEP_HYPHEN_PREFIXES = {"non", "self", "well", "anti", "co", "multi", "semi", "sham", "double", "single",
                         "cross", "open", "long", "short", "low", "high", "follow", "ultrasound", "image",
                         "placebo", "pain", "post", "pre"}


class Dehyphenator:
    """Decides whether a hyphen at a line end is a soft (typesetting) hyphen, from the
    document's own vocabulary."""

    _TOKEN = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]")

    def __init__(self, texts):
        self.words: set[str] = set()
        self.hyphenated: set[str] = set()
        for t in texts:
            for tok in self._TOKEN.findall(t):
                low = tok.lower()
                if "-" in low:
                    self.hyphenated.add(low)
                else:
                    self.words.add(low)

    def join(self, left: str, right: str) -> str:
        """Join two consecutive lines of one paragraph (or cell)."""
        if not left:
            return right
        if not right:
            return left
        m = re.search(r"([A-Za-z]+)-$", left)
        n = re.match(r"([a-z][A-Za-z]*)", right)
        if m and n and m.group(1)[-1].islower():
            a, b = m.group(1), n.group(1)
            if (a + b).lower() in self.words:
                return left[:-1] + right
            if f"{a}-{b}".lower() in self.hyphenated or a.lower() in _KEEP_HYPHEN_PREFIXES:
                return left + right
            return left[:-1] + right
        if left.endswith("-") or left.endswith("/"):
            # "10.5555/" + "litmine" (DOIs, URLs), "5-" + "10": no space
            if re.search(r"(?:\d|[A-Z]|/)-?$", left) and not right[:1].isspace():
                return left + right
        return left + " " + right


def join_lines(lines: list[Line], dehyph: Dehyphenator) -> str:
    """Lines of one section -> text; a paragraph break ("\\n") where the vertical gap in a
    column is clearly larger than the line pitch."""
    if not lines:
        return ""
    pitches = [b.top - a.top for a, b in zip(lines, lines[1:])
               if a.page == b.page and a.col == b.col and 0 < b.top - a.top < 3 * a.size]
    pitch = sorted(pitches)[len(pitches) // 2] if pitches else None
    paras: list[str] = []
    cur = ""
    prev = None
    for ln in lines:
        brk = prev is not None and ln.bold != prev.bold and len((prev if prev.bold else ln).text.split()) <= 12
        if prev is not None and pitch and prev.page == ln.page and prev.col == ln.col:
            gap = ln.top - prev.top
            brk = brk or gap > 1.35 * pitch or gap < 0
        if brk and cur:
            paras.append(cur)
            cur = ""
        cur = dehyph.join(cur, ln.text)
        prev = ln
    paras.append(cur)
    return "\n".join(p.strip() for p in paras if p.strip())
