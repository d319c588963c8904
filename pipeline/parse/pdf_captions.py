"""PDF table captions and legends: the text printed above and below a table.

Method
* Caption: the lines just above the table starting "Table N"; legend: the lines just below set
  smaller than the body text (abbreviation lists, notes; a line opening with a footnote mark
  is a note of its own), or a paragraph just below at body size
  that defines at least three codes. Both are removed from the body text.
"""

from __future__ import annotations

from .evidence_table import parse_legend
from .pdf_layout import Line
from .pdf_tables import _TABLE_CAPTION, RawTable


def note_text(lines: list[Line]) -> str:
    """The legend's lines as text; a line opening with a footnote mark (a one- or two-character
    word set smaller than the line: "ᵃ conference abstract") starts a note of its own, kept
    apart by "; " so it does not run into the definition before it."""
    text = ""
    for ln in lines:
        first = ln.words[0]
        mark = len(first["text"]) <= 2 and first.get("size", ln.size) < ln.size - 0.5
        text = f"{text}; {ln.text}" if text and mark else f"{text} {ln.text}".strip()
    return text


def attach_captions(table: RawTable, lines: list[Line], body_size: float) -> set[int]:
    """Set the table's caption (lines above starting "Table N") and legend (smaller lines just
    below); returns the ids of the lines consumed."""
    x0, top, x1, bottom = table.bbox
    same = [ln for ln in lines if ln.page == table.page and min(ln.x1, x1) - max(ln.x0, x0) > 0]
    used: set[int] = set()
    above = sorted((ln for ln in same if ln.bottom <= top + 1), key=lambda l: -l.bottom)
    got, edge = [], top
    for ln in above[:5]:
        if edge - ln.bottom > 2.5 * ln.size:
            break
        got.append(ln)
        edge = ln.top
        if _TABLE_CAPTION.match(ln.text):
            table.caption = " ".join(l.text for l in reversed(got))
            used.update(id(l) for l in got)
            break
    below = sorted((ln for ln in same if ln.top >= bottom - 1), key=lambda l: l.top)
    legend, edge = [], bottom
    for ln in below:
        if ln.top - edge > 2.2 * ln.size or ln.size >= body_size - 0.3 or _TABLE_CAPTION.match(ln.text):
            break
        legend.append(ln)
        edge = ln.bottom
    if not legend:   # a legend set at body size: the paragraph under the table, if it defines codes
        para, edge = [], bottom
        for ln in below:
            if ln.top - edge > 2.2 * ln.size or _TABLE_CAPTION.match(ln.text) or len(para) >= 12:
                break
            para.append(ln)
            edge = ln.bottom
        if para and len(parse_legend(" ".join(l.text for l in para))) >= 3:
            legend = para
    if legend:
        table.legend = note_text(legend)
        used.update(id(l) for l in legend)
    return used
