"""Tables continued across pages: the part under a "(continued)" caption read with the columns
of the part before it, and the parts joined into one table.

Method
* A continued part: on the page after a table, a caption "Table N ... (continued)" whose
  following lines no table finder took (a short remainder, one or two rows, has too few
  aligned lines to be found on its own) is read with the columns of the last table on the page
  before: the lines under the caption, at the table's type size (a smaller legend ends it), no
  further apart than the table's rows, none crossing a column boundary. Its first row is the
  rest of a row the page break cut when its first column is empty.
* Joining: the first table on page p+1 continues the last table on page p when it has the
  same number of columns at the same x positions and no caption of its own (or a "continued"
  one, or the same table number); a repeated header row is dropped. A row split by the page
  break (an open top: a ruled part whose column rules run above its first rule, or an
  unruled part whose first row has no first cell) is joined to the row it continues.
"""

from __future__ import annotations

import re

from .pdf_columns import straddles
from .pdf_layout import Line
from .pdf_tables import _TABLE_CAPTION, RawTable, _build_unruled

_CONTINUED = re.compile(r"contin", re.I)


def continued_part(lines: list[Line], pno: int, prev: RawTable | None) -> tuple[RawTable | None, set[int]]:
    """The part of `prev` (a table on page pno-1) that runs on under a "continued" caption
    among page pno's free `lines`; (None, set()) when there is none."""
    if prev is None or prev.page != pno - 1 or prev.ncols < 2:
        return None, set()
    ordered = sorted((ln for ln in lines if ln.page == pno), key=lambda l: l.top)
    for i, cap in enumerate(ordered):
        if _TABLE_CAPTION.match(cap.text) and _CONTINUED.search(cap.text):
            break
    else:
        return None, set()
    x0, x1 = prev.bbox[0] - 2, prev.bbox[2] + 2
    block: list[Line] = []
    edge = cap.bottom
    for ln in ordered[i + 1:]:
        if ln.x0 < x0 or ln.x1 > x1 or _TABLE_CAPTION.match(ln.text):
            break
        gap = ln.top - edge
        if gap > (3.0 if not block else 1.6) * ln.size or ln.size < prev.size - 0.4 or straddles(ln, prev.seps):
            break
        block.append(ln)
        edge = ln.bottom
    if not block:
        return None, set()
    part = _build_unruled(block, prev.seps, pno, headed=False)
    return part, {id(ln) for ln in block}


def _same_columns(a: RawTable, b: RawTable) -> bool:
    if a.ncols != b.ncols:
        return False
    tol = 4 if a.kind == b.kind == "ruled" else 15
    return all(abs(x - y) <= tol for x, y in zip(a.seps, b.seps))


def _norm(row) -> list[str]:
    return [" ".join(c).strip().lower() for c in row]


def join_continued(tables: list[RawTable]) -> list[RawTable]:
    """Merge tables that continue on the next page (see module docstring)."""
    tables = sorted(tables, key=lambda t: (t.page, t.bbox[1]))
    out: list[RawTable] = []
    for t in tables:
        prev = out[-1] if out else None
        last_page = (prev.continued_pages[-1] if prev and prev.continued_pages else prev.page) if prev else None
        first_on_page = prev is not None and not any(o.page == t.page for o in out)
        if prev and t.page == last_page + 1 and first_on_page and _same_columns(prev, t):
            m = _TABLE_CAPTION.match(t.caption or "")
            pm = _TABLE_CAPTION.match(prev.caption or "")
            own = m and not re.search(r"contin", t.caption or "", re.I) and not (pm and pm.group(1) == m.group(1))
            if not own:
                rows = t.rows
                if t.open_top and prev.rows:   # the rest of the row the page break cut
                    for cell, rest in zip(prev.rows[-1], rows[0]):
                        cell.extend(rest)
                    rows = rows[1:]
                head = [_norm(r) for r in prev.rows[:prev.header_rows]]
                k = 0
                while k < len(rows) and k < len(head) and _norm(rows[k]) == head[k]:
                    k += 1
                if k == 0 and t.header_rows and _norm(rows[0]) == _norm(prev.rows[0]):
                    k = 1
                prev.rows.extend(rows[k:])
                prev.continued_pages.append(t.page)
                if t.legend and not prev.legend:
                    prev.legend = t.legend
                continue
        out.append(t)
    return out
