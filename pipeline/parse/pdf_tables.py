"""PDF tables: ruled tables by their lines, unruled tables by text alignment, header rows,
wrapped cells, caption and legend.

Method
* Ruled: pdfplumber's `TableFinder` (lines strategy, fed the edges from `pdf_words`) on pages that have at least two vertical
  and two horizontal rules. Each cell's text is rebuilt from the words whose centre lies in the
  cell box, line by line, so a wrapped cell stays one cell.
* Unruled: within one column of the page's reading order, a visual line splits into segments
  where the gap between words exceeds 1.5 x the font size. A run of three or more multi-segment
  lines (allowing single-segment lines between them: wrapped cells) is a candidate table. Column
  separators are the gaps in the x-projection of the segments of its body lines; a line with a
  word straddling a separator ends the table (body text does). Words go to the column that holds
  their centre. A candidate whose cells are mostly runs of five or more words, without numbers
  or mostly with function words ("the", "of", ...), is prose in columns and stays text.
* Banded rows: a ruled row whose filled cells all hold the same k >= 2 lines on shared baselines
  is k rows (tables that rule only every fifth row); a wrapped cell keeps its row whole.
* Rows: a line whose first cell is empty, or whose distance from the line above is the short
  within-cell leading (the smallest pitch that recurs) while rows are further apart, continues
  the row above.
* Header: the leading rows set in bold when the body is not (wrapped header lines are merged
  into one header row); otherwise the first row. In a ruled header, a cell spanning columns
  names each column it covers, so a two-row header reads "Pain (NRS) mean", "Pain (NRS) SD".
* Caption and legend: `pdf_captions`.
* Continuation across pages: `pdf_continued`. Column boundaries: `pdf_columns` (gaps, or the
  joints of a header rule drawn one piece per column).
Cells are kept as lists of line texts until the document's de-hyphenation vocabulary is known.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .pdf_columns import header_rule, segments, separators, span_rules, straddles
from .pdf_layout import Line, group_lines, is_bold
from .pdf_words import ruled_cells

_FUNCTION_WORDS = {"the", "of", "and", "to", "a", "an", "in", "for", "by", "with", "that", "this",
                   "is", "are", "was", "were", "be", "on", "as", "or", "at", "which", "it"}
_TABLE_CAPTION = re.compile(r"^(?:Table|TABLE)\s+([A-Z]?\d+[A-Za-z]?)\b")


@dataclass
class RawTable:
    page: int                      # 0-based
    bbox: tuple                    # (x0, top, x1, bottom)
    rows: list                     # [[ [line text, ...] per cell ] per row], header rows first
    header_rows: int
    seps: list                     # inner column boundaries (x)
    kind: str                      # "ruled" | "unruled"
    size: float = 0.0
    caption: str | None = None
    legend: str | None = None
    continued_pages: list = field(default_factory=list)
    open_top: bool = False         # its first row is the rest of a row begun on the page before

    @property
    def ncols(self) -> int:
        return len(self.seps) + 1


def _inside(w, bbox, pad=0.5) -> bool:
    cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
    return bbox[0] - pad <= cx <= bbox[2] + pad and bbox[1] - pad <= cy <= bbox[3] + pad


def _header_count(bold_rows: list[bool]) -> int:
    n = 0
    for b in bold_rows:
        if not b:
            break
        n += 1
    if n == 0 or n == len(bold_rows):
        return 1
    return n


def ruled_tables(edges: list, width: float, height: float, words: list, pno: int) -> list[RawTable]:
    """Tables drawn with rules (pdfplumber's TableFinder, lines strategy, on the page's edges)."""
    out = []
    for t in ruled_cells(edges, width, height):
        rows = [r for r in t.rows if any(c is not None for c in r.cells)]
        ncols = max((len(r.cells) for r in rows), default=0)
        if len(rows) < 2 or ncols < 2:
            continue
        tw = [w for w in words if _inside(w, t.bbox)]
        xs = sorted({round(c[0], 1) for c in t.cells} | {round(c[2], 1) for c in t.cells})
        columns = max((r for r in rows), key=lambda r: sum(c is not None for c in r.cells)).cells
        columns = [(c[0], c[2]) for c in columns if c is not None]
        grid, bold_rows, sizes, spans = [], [], [], []
        for r in rows:
            row, bold, span, tops = [], True, [], []
            cells = list(r.cells) + [None] * (ncols - len(r.cells))
            nonempty, left = False, None
            for k, c in enumerate(cells):
                if c is None:
                    row.append([])
                    tops.append([])
                    # covered by the cell to its left (a column span), or by one above (a row span)
                    centre = sum(columns[k]) / 2 if k < len(columns) else None
                    span.append(k - 1 if left is not None and centre is not None and left[2] > centre else None)
                    continue
                left = c
                span.append(None)
                cw = [w for w in tw if _inside(w, c, pad=0)]
                lines = group_lines(cw, pno) if cw else []
                row.append([ln.text for ln in lines])
                tops.append([ln.top for ln in lines])
                if cw:
                    nonempty = True
                    bold = bold and all(is_bold(w.get("fontname", "")) for w in cw)
                    sizes.extend(w.get("size", 0) for w in cw)
            if not nonempty:
                continue
            for part in _banded(row, tops):
                grid.append(part)
                bold_rows.append(bold)
                spans.append(span)
        # A header cell spanning columns names each of them ("Pain (NRS)" over "mean" and "SD").
        for row, span in zip(grid[:_header_count(bold_rows)], spans):
            for k, source in enumerate(span):
                if source is not None:
                    row[k] = list(row[source])
        top_row, bottom_row, bbox = _open_rows(t.bbox, columns, edges, words, pno)
        if bottom_row:
            grid.append(bottom_row)
            bold_rows.append(False)
        if top_row:
            grid.insert(0, top_row)
            bold_rows.insert(0, False)
        if len(grid) < 2:
            continue
        seps = [x for x in xs[1:-1]]
        if len(seps) != ncols - 1:     # merged cells make extra edges: use the first row's cells
            seps = sorted(c[0] for c in rows[-1].cells if c is not None)[1:]
        header_rows = 0 if top_row else _header_count(bold_rows)
        out.append(RawTable(pno, bbox, grid, header_rows, seps, "ruled",
                            size=sorted(sizes)[len(sizes) // 2] if sizes else 0, open_top=bool(top_row)))
    return out


def _banded(row: list[list[str]], tops: list[list[float]]) -> list[list[list[str]]]:
    """A ruled "row" that is really k rows drawn in one band (statistics tables shade every
    five rows and rule only the bands): every filled cell has the same k >= 2 lines, on the same
    baselines across the row. A wrapped cell makes its row's cells differ, so it stays one."""
    filled = [k for k, cell in enumerate(row) if cell]
    if len(filled) < 3:
        return [row]
    k = len(row[filled[0]])
    if k < 2 or any(len(row[i]) != k for i in filled):
        return [row]
    if any(max(tops[i][j] for i in filled) - min(tops[i][j] for i in filled) > 2.0 for j in range(k)):
        return [row]
    return [[[cell[j]] if cell else [] for cell in row] for j in range(k)]


def _open_rows(bbox, columns, edges, words, pno) -> tuple[list | None, list | None, tuple]:
    """Rows a page break cut open: the column rules run past the table's last (or above its
    first) horizontal rule, and the words between them are the start (or the rest) of a row
    split across pages. Returns (row above the first rule, row below the last rule, the bbox
    grown to hold them)."""
    x0, top, x1, bottom = bbox
    bounds = [a for a, _ in columns] + [columns[-1][1]] if columns else []
    rules = [e for e in edges if e["orientation"] == "v" and any(abs(e["x0"] - x) <= 1.5 for x in bounds)
             and e["bottom"] > top - 1 and e["top"] < bottom + 1]
    out, grown = [], [x0, top, x1, bottom]
    for lo, hi in ((min((e["top"] for e in rules), default=top), top),
                   (bottom, max((e["bottom"] for e in rules), default=bottom))):
        if hi - lo < 3:
            out.append(None)
            continue
        row, found = [], False
        for a, b in columns:
            cw = [w for w in words if _inside(w, (a, lo, b, hi), pad=0)]
            row.append([ln.text for ln in group_lines(cw, pno)] if cw else [])
            found = found or bool(cw)
        out.append(row if found else None)
        if found:
            grown[1], grown[3] = min(grown[1], lo), max(grown[3], hi)
    return out[0], out[1], tuple(grown)


def _cell_texts(ln: Line, col_of, ncols: int) -> list[str]:
    cells = [[] for _ in range(ncols)]
    for w in ln.words:
        cells[col_of(w)].append(w["text"])
    return [" ".join(c) for c in cells]


def baseline(ln: Line) -> float:
    """The line's baseline: the median bottom of its words at the line's type size (a
    superscript or a taller glyph moves the line's top, not its baseline)."""
    bottoms = sorted(w["bottom"] for w in ln.words if abs(w.get("size", 0) - ln.size) < 0.2) or [ln.bottom]
    return bottoms[len(bottoms) // 2]


def leading(pitches: list[float]) -> float:
    """The within-cell line pitch: the smallest pitch that recurs (to 0.5 pt), so one odd
    short step (a cell's second paragraph set closer) does not stand for it; else the smallest."""
    if not pitches:
        return 0.0
    seen = Counter(round(p * 2) / 2 for p in pitches)
    recurring = [p for p, n in seen.items() if n >= 2 and p > 0]
    return min(recurring) if recurring else min(pitches)


def _build_unruled(block: list[Line], seps: list[float], pno: int, headed: bool = True,
                   head_lines: int = 0, spans: list = ()) -> RawTable:
    ncols = len(seps) + 1

    def col_of(w):
        cx = (w["x0"] + w["x1"]) / 2
        return sum(1 for s in seps if cx > s)

    if head_lines:       # the lines above the header rule, one header row each
        head = [_cell_texts(ln, col_of, ncols) for ln in block[:head_lines]]
        for i, ln in enumerate(block[:head_lines - 1]):
            _spread(head[i], seps, [(a, b) for a, b, y in spans if ln.bottom - 1 <= y <= block[i + 1].top + 1])
        body = _build_unruled(block[head_lines:], seps, pno, headed=False)
        body.rows = [[[t] if t else [] for t in row] for row in head] + body.rows
        body.header_rows, body.open_top = head_lines, False
        body.bbox = (min(body.bbox[0], min(ln.x0 for ln in block)), block[0].top, body.bbox[2], body.bbox[3])
        return body

    tops = [baseline(ln) for ln in block]
    pitches = [b - a for a, b in zip(tops, tops[1:])]
    pmin = leading(pitches)
    varied = bool(pitches) and max(pitches) > 1.25 * pmin
    n_head = 0
    while headed and n_head < len(block) and block[n_head].bold:
        n_head += 1
    if n_head == len(block):
        n_head = 0
    rows: list = []
    first_filled = 0
    if n_head:
        head = [[] for _ in range(ncols)]
        for ln in block[:n_head]:
            for k, t in enumerate(_cell_texts(ln, col_of, ncols)):
                if t:
                    head[k].append(t)
        rows.append(head)
    for i in range(n_head, len(block)):
        texts = _cell_texts(block[i], col_of, ncols)
        filled = sum(1 for t in texts if t)
        cont = i > n_head and (not texts[0] or (varied and pitches[i - 1] <= 1.12 * pmin and filled < first_filled))
        if cont:
            for k, t in enumerate(texts):
                if t:
                    rows[-1][k].append(t)
        else:
            rows.append([[t] if t else [] for t in texts])
            first_filled = filled
    bbox = (min(ln.x0 for ln in block), min(ln.top for ln in block),
            max(ln.x1 for ln in block), max(ln.bottom for ln in block))
    return RawTable(pno, bbox, rows, 1 if headed else 0, seps, "unruled",
                    size=sorted(ln.size for ln in block)[len(block) // 2],
                    open_top=not headed and bool(rows) and not rows[0][0])


def _spread(row: list[str], seps: list[float], rules: list[tuple[float, float]]) -> None:
    """A header cell over a short rule names every column the rule spans."""
    bounds = [-1e9] + list(seps) + [1e9]
    for a, b in rules:
        cols = [k for k in range(len(row)) if a - 2 <= (max(bounds[k], a) + min(bounds[k + 1], b)) / 2 <= b + 2
                and min(bounds[k + 1], b) - max(bounds[k], a) > 0.5 * (min(bounds[k + 1], 1e8) - max(bounds[k], -1e8))]
        text = " ".join(row[k] for k in cols if row[k])
        if len(cols) >= 2 and text:
            for k in cols:
                row[k] = text


def _prose_in_columns(table: RawTable) -> bool:
    """Multi-column prose the column finder missed (three narrow columns, say) aligns like a
    table; its cells are runs of words, rarely with a number, where table cells are short."""
    cells = [" ".join(c) for row in table.rows for c in row if c]
    if len(cells) < 6:
        return False
    words = sorted(len(c.split()) for c in cells)
    numeric = sum(1 for c in cells if re.search(r"\d", c)) / len(cells)
    sentences = sum(1 for c in cells if _FUNCTION_WORDS & set(c.lower().split())) / len(cells)
    return words[len(words) // 2] >= 5 and (numeric < 0.3 or sentences >= 0.6)


def unruled_tables(lines: list[Line], pno: int, edges: list = ()) -> tuple[list[RawTable], set[int]]:
    """Tables aligned by white space among a page's lines (reading order), columns from the
    gaps or from a header rule drawn one piece per column (`edges`). Returns the tables and the
    ids of the lines they consumed."""
    tables, used = [], set()
    runs: list[list[Line]] = []
    for ln in lines:
        if runs and runs[-1][-1].col == ln.col and ln.top >= runs[-1][-1].top:
            runs[-1].append(ln)
        else:
            runs.append([ln])
    for run in runs:
        i = 0
        while i < len(run):
            if len(segments(run[i])) < 2:
                i += 1
                continue
            j = i
            while j + 1 < len(run) and run[j + 1].top - run[j].bottom <= 1.6 * run[j + 1].size:
                j += 1
            block = run[i: j + 1]
            multi = [ln for ln in block if len(segments(ln)) >= 2]
            if len(multi) < 3:
                i += 1
                continue
            seps = separators(multi[1:] if len(multi) >= 4 else multi)
            bx0, bx1 = min(ln.x0 for ln in block), max(ln.x1 for ln in block)
            rule_y, joints = header_rule(edges, bx0, bx1, block[0].top, block[-1].bottom)
            if joints and len(joints) >= len(seps):     # drawn boundaries over guessed gaps
                seps = joints
            else:
                rule_y = None
            if not seps:
                i += 1
                continue
            keep = [block[0]]
            for ln in block[1:]:
                if straddles(ln, seps):
                    break
                keep.append(ln)
            # trailing one-segment lines stay only at the within-cell leading (a wrapped cell)
            ktops = [baseline(ln) for ln in keep]
            kp = [b - a for a, b in zip(ktops, ktops[1:])]
            pmin = leading(kp)
            while keep and len(segments(keep[-1])) < 2 and not (
                    len(keep) >= 2 and max(kp) > 1.25 * pmin and baseline(keep[-1]) - baseline(keep[-2]) <= 1.12 * pmin):
                keep.pop()
                kp = kp[:-1]
            if sum(1 for ln in keep if len(segments(ln)) >= 2) < 3:
                i += 1
                continue
            # a paragraph line with a wide justified gap is not a table row
            if not all(ln.x1 - ln.x0 > 0 for ln in keep):
                i += 1
                continue
            above = sum(1 for ln in keep if rule_y is not None and ln.bottom <= rule_y + 1)
            spans = span_rules(edges, bx0, bx1, keep[0].top, rule_y) if 0 < above < len(keep) else []
            table = _build_unruled(keep, seps, pno, head_lines=above if 0 < above < len(keep) else 0,
                                   spans=spans)
            if _prose_in_columns(table):
                i += len(keep)
                continue
            tables.append(table)
            used.update(id(ln) for ln in keep)
            i += len(keep)
    return tables, used
