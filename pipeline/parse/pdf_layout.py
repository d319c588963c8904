"""PDF page layout: words -> lines in reading order, with page furniture removed.

Method
* Words come from pdfplumber (`extract_words` with font name and size). Words inside a table's
  bounding box are removed before layout (tables are parsed separately, `pdf_tables`).
* Line numbers: digit-only words standing in the left or right margin, outside the text block
  (beyond the 2nd/98th percentile of the other words' edges), five or more on a page lined up
  and counting up down the page, are dropped (a table's column of scores is not).
* Columns: a vertical gutter is looked for in the middle 30-70 % of the page, where the right
  column's lines start (see `find_gutter`); failing that and three columns, the next two
  commonest starts are tried (a figure's aligned labels may outnumber a short stretch of
  two-column text).
  With a gutter, a visual line whose words run continuously across it is full width (title,
  abstract, a spanning caption), and so is one whose parts keep 2.5 em clear of the gutter
  and of the left margin (a figure's labels and values); the others are split into a left and a right part. Reading
  order is band by band: full-width lines break the flow, and between two of them the left
  column is read top to bottom, then the right. A page with no such gutter is tried for three
  columns (`find_three_columns`: two common segment starts a fifth of the page apart, text-wide
  segments in all three), read the same way.
* A line is the set of words whose vertical centre lies within the first word's extent
  (superscripts join their line); words are ordered by x.
* Running headers and footers: lines in the top or bottom 9 % of a page, set apart from the
  text next to them (a table row running into the margin is not), whose text, with digits
  masked, recurs on at least half of the pages (and on two or more), plus any page-number line
  there ("7", "Page 7 of 12", "- 7 -", "7 | Journal").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

MARGIN_ZONE = 0.09
_PAGE_NO = re.compile(r"^(?:page\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)
_PAGE_NO_EDGE = re.compile(r"^\d{1,4}\s*[|•·]|[|•·]\s*\d{1,4}$")
_DIGITS = re.compile(r"\d+")


@dataclass
class Line:
    words: list
    page: int
    col: int = 0            # 0 full width / single column, 1 left, 2 right (3: third of three)
    text: str = ""
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    bold: bool = False
    style: tuple = field(default_factory=tuple)

    def finish(self) -> "Line":
        self.words.sort(key=lambda w: w["x0"])
        self.text = " ".join(w["text"] for w in self.words)
        self.x0 = min(w["x0"] for w in self.words)
        self.x1 = max(w["x1"] for w in self.words)
        self.top = min(w["top"] for w in self.words)
        self.bottom = max(w["bottom"] for w in self.words)
        sizes = Counter()
        fonts = Counter()
        for w in self.words:
            sizes[round(w.get("size", 0), 1)] += len(w["text"])
            fonts[w.get("fontname", "")] += len(w["text"])
        self.size = sizes.most_common(1)[0][0]
        self.bold = all(is_bold(w.get("fontname", "")) for w in self.words)
        self.style = (fonts.most_common(1)[0][0], self.size)
        return self


def is_bold(fontname: str) -> bool:
    return bool(re.search(r"bold|black|heavy|semibold|,b\b|-b$", fontname, re.I))


def group_lines(words: list, page: int, col: int = 0) -> list[Line]:
    """Words -> visual lines (a word joins a line when its centre is within the line's first
    word's vertical extent), sorted top to bottom."""
    lines: list[Line] = []
    current: list = []
    top = bottom = 0.0
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        mid = (w["top"] + w["bottom"]) / 2
        if current and top - 0.5 <= mid <= bottom + 0.5:
            current.append(w)
            continue
        if current:
            lines.append(Line(current, page, col).finish())
        current, top, bottom = [w], w["top"], w["bottom"]
    if current:
        lines.append(Line(current, page, col).finish())
    # words sorted by top can interleave two lines with a shared centre band: merge lines whose
    # vertical extents overlap by more than half
    merged: list[Line] = []
    for ln in sorted(lines, key=lambda l: l.top):
        if merged:
            prev = merged[-1]
            overlap = min(prev.bottom, ln.bottom) - max(prev.top, ln.top)
            dmid = abs((prev.top + prev.bottom) - (ln.top + ln.bottom)) / 2
            if overlap > 0.5 * min(prev.bottom - prev.top, ln.bottom - ln.top) and \
                    dmid < 0.35 * max(prev.bottom - prev.top, ln.bottom - ln.top):
                prev.words.extend(ln.words)
                prev.finish()
                continue
        merged.append(ln)
    return merged


def _counts_up(numbers: list) -> bool:
    values = [int(w["text"]) for w in sorted(numbers, key=lambda w: w["top"])]
    steps = [b - a for a, b in zip(values, values[1:])]
    return sum(1 for d in steps if d > 0) >= 0.9 * len(steps)


def drop_line_numbers(words: list) -> list:
    """Remove margin line numbers: digit-only words outside the text block (beyond the 2nd /
    98th percentile of the other words' edges) that line up (same right or left edge within
    2 pt) down the page, five or more with distinct tops, counting up as they go down (a
    table's last column of scores or counts lines up in the margin too, but does not count)."""
    text_words = [w for w in words if not w["text"].isdigit()]
    if len(text_words) < 10:
        return words
    xs0 = sorted(w["x0"] for w in text_words)
    xs1 = sorted(w["x1"] for w in text_words)
    left, right = xs0[len(xs0) // 50], xs1[-1 - len(xs1) // 50]
    cands = [w for w in words if w["text"].isdigit() and len(w["text"]) <= 4
             and (w["x1"] < left - 1 or w["x0"] > right + 1)]
    drop = set()
    for key in ("x1", "x0"):
        groups: dict[int, list] = {}
        for w in cands:
            groups.setdefault(round(w[key] / 2), []).append(w)
        for g in groups.values():
            if len({round(w["top"]) for w in g}) >= 5 and _counts_up(g):
                drop.update(id(w) for w in g)
    return [w for w in words if id(w) not in drop] if drop else words


def _line_segments(ln: Line) -> list[tuple[float, float]]:
    thr = max(8.0, 1.2 * (ln.size or 9))
    segs, start = [], ln.words[0]["x0"]
    for a, b in zip(ln.words, ln.words[1:]):
        if b["x0"] - a["x1"] >= thr:
            segs.append((start, a["x1"]))
            start = b["x0"]
    segs.append((start, ln.words[-1]["x1"]))
    return segs


def find_gutter(words: list, width: float, height: float, tries: int = 1) -> float | None:
    """x of the gap between two text columns, or None for a single-column page.

    Lines are cut into segments at wide gaps (>= 8 pt and 1.2 x the font size). The right
    column is the x (middle 30-70 % of the page) where most segments start; it counts when at
    least 6 segments start there, they are text-wide (median width at least a quarter of the
    page) and beside them stands one segment that mostly fills the left column, or none (a
    table column has several cells, or a short label, beside it). The `tries` commonest starts
    are tried in turn."""
    body = [w for w in words if MARGIN_ZONE * height < w["top"] < (1 - MARGIN_ZONE) * height]
    if len(body) < 40:
        return None
    per_line = [_line_segments(ln) for ln in group_lines(body, 0)]
    segs = [s for ls in per_line for s in ls]
    starts = Counter(round(a / 2) * 2 for a, _ in segs if 0.3 * width <= a <= 0.7 * width)
    # the commonest start first; a figure's aligned labels on the page may outnumber the column
    for x, _ in sorted(starts.items(), key=lambda kv: (-kv[1], kv[0]))[:tries]:
        gutter = _gutter_at(x, segs, per_line, width)
        if gutter is not None:
            return gutter
    return None


def _gutter_at(x: float, segs: list, per_line: list, width: float) -> float | None:
    near = [(a, b) for a, b in segs if abs(a - x) <= 2]
    widths = sorted(b - a for a, b in segs if x - 30 <= a <= x + 2)
    if len(near) < 6 or widths[len(widths) // 2] < 0.2 * width:
        return None
    # beside a column there is one wide left-column segment (or none); beside a table column
    # there are several cells
    bad, lefts = 0, []
    for ls in per_line:
        if any(abs(a - x) <= 2 for a, _ in ls):
            others = [(a, b) for a, b in ls if a < x - 2]
            if len(others) > 1:
                bad += 1
            elif others:
                lefts.append(others[0])
    if bad > 0.3 * len(near):
        return None
    if lefts:   # left-column text fills its column; a table's label column does not
        lw = sorted(b - a for a, b in lefts)
        if lw[len(lw) // 2] < 0.5 * (x - min(a for a, _ in lefts)):
            return None
    # hanging indents (reference lists): the column starts at the leftmost wide segment just
    # before the commonest start
    left_edge = min(a for a, b in segs if x - 30 <= a <= x + 2 and b - a >= 0.25 * width)
    return left_edge - 2


def find_three_columns(words: list, width: float, height: float) -> list[float] | None:
    """The two gutters of a three-column page, or None. The second and third columns start
    where most line segments start (at least 6 each, a fifth of the page apart); their segments
    and the first column's are text-wide (median over 15 % of the page; a table's columns hold
    numbers and short labels)."""
    body = [w for w in words if MARGIN_ZONE * height < w["top"] < (1 - MARGIN_ZONE) * height]
    if len(body) < 60:
        return None
    per_line = [_line_segments(ln) for ln in group_lines(body, 0)]
    starts = Counter(round(a / 2) * 2 for ls in per_line for a, _ in ls if 0.2 * width <= a <= 0.8 * width)
    common = [x for x, n in starts.most_common(6) if n >= 6]
    pairs = [(a, b) for a in common for b in common if b - a >= 0.2 * width]
    if not pairs:
        return None
    x1, x2 = max(pairs, key=lambda p: starts[p[0]] + starts[p[1]])
    segs = [s for ls in per_line for s in ls]
    # Per line and column, the span its segments cover (justified lines have wide word gaps).
    spans: list[list[float]] = [[], [], []]
    for ls in per_line:
        for k, (lo, hi) in enumerate(((-1e9, x1 - 2), (x1 - 2, x2 - 2), (x2 - 2, 1e9))):
            inside = [(a, b) for a, b in ls if lo <= a < hi]
            if inside:
                spans[k].append(max(b for _, b in inside) - min(a for a, _ in inside))
    if any(not c or sorted(c)[len(c) // 2] < 0.15 * width for c in spans):
        return None
    lefts = [min((a for a, b in segs if x - 30 <= a <= x + 2 and b - a >= 0.15 * width), default=None)
             for x in (x1, x2)]
    if None in lefts:      # wide only as a run of short cells (a table), no column of text starts there
        return None
    return [lefts[0] - 2, lefts[1] - 2]


def _multi_column_lines(words: list, page: int, gutters: list[float]) -> list[Line]:
    """Reading order for three or more columns: lines crossing a gutter are full width and
    break the flow; between them, each column top to bottom, left to right."""
    crossing = [(w["top"], w["bottom"]) for w in words
                if any(w["x0"] < g - 0.5 and w["x1"] > g + 0.5 for g in gutters)]

    def in_band(w):
        mid = (w["top"] + w["bottom"]) / 2
        return any(a - 0.5 <= mid <= b + 0.5 for a, b in crossing)

    full_w, cols_w = [], [[] for _ in range(len(gutters) + 1)]
    for w in words:
        if crossing and in_band(w):
            full_w.append(w)
        else:
            cols_w[sum(1 for g in gutters if (w["x0"] + w["x1"]) / 2 > g)].append(w)
    cols = sorted((ln for k, ws in enumerate(cols_w) for ln in group_lines(ws, page, k + 1)),
                  key=lambda l: l.top)
    out: list[Line] = []
    for f in sorted(group_lines(full_w, page, 0), key=lambda l: l.top):
        out.extend(sorted((ln for ln in cols if ln.top < f.top), key=lambda l: (l.col, l.top)))
        cols = [ln for ln in cols if ln.top >= f.top]
        out.append(f)
    out.extend(sorted(cols, key=lambda l: (l.col, l.top)))
    return out


def page_lines(words: list, page: int, width: float, height: float) -> list[Line]:
    """Lines of one page in reading order (columns handled)."""
    words = drop_line_numbers(words)
    gutter = find_gutter(words, width, height)
    if gutter is None:
        gutters = find_three_columns(words, width, height)
        if gutters:
            return _multi_column_lines(words, page, gutters)
        gutter = find_gutter(words, width, height, tries=3)
        if gutter is None:
            return group_lines(words, page, 0)
    # full-width bands: the vertical extent of every word that straddles the gutter
    bands = sorted((w["top"], w["bottom"]) for w in words if w["x0"] < gutter - 0.5 and w["x1"] > gutter + 0.5)

    def in_band(w):
        mid = (w["top"] + w["bottom"]) / 2
        return any(a - 0.5 <= mid <= b + 0.5 for a, b in bands)

    full_w, left_w, right_w = [], [], []
    for w in words:
        if bands and in_band(w):
            full_w.append(w)
        elif (w["x0"] + w["x1"]) / 2 < gutter:
            left_w.append(w)
        else:
            right_w.append(w)
    full = group_lines(full_w, page, 0)
    left = group_lines(left_w, page, 1)
    right = group_lines(right_w, page, 2)
    # a full-width line whose word gap happens to fall on the gutter: rejoin it; so is a line
    # whose parts keep clear of the column edges (a figure's labels and values; a paragraph's
    # last line starts at its column's edge, beside a heading centred in the other column)
    used_r = set()
    margin = min((ln.x0 for ln in left), default=0.0)
    for i, ln in enumerate(left):
        for j, r in enumerate(right):
            if j in used_r or abs(r.top - ln.top) > 0.3 * ln.size:
                continue
            apart = min(r.x0 - gutter, gutter - ln.x1, ln.x0 - margin) > 2.5 * ln.size
            if (abs(r.top - ln.top) <= 0.6 and r.style == ln.style and r.x0 - ln.x1 < 1.2 * ln.size) or apart:
                left[i] = Line(ln.words + r.words, page, 0).finish()
                used_r.add(j)
                break
    right = [r for j, r in enumerate(right) if j not in used_r]
    full += [ln for ln in left if ln.col == 0]
    left = [ln for ln in left if ln.col != 0]
    out: list[Line] = []
    cols = sorted(left + right, key=lambda l: l.top)
    for f in sorted(full, key=lambda l: l.top):
        band = [ln for ln in cols if ln.top < f.top]
        cols = [ln for ln in cols if ln.top >= f.top]
        out.extend(sorted(band, key=lambda l: (l.col, l.top)))
        out.append(f)
    out.extend(sorted(cols, key=lambda l: (l.col, l.top)))
    return out


def _mask(text: str) -> str:
    return _DIGITS.sub("#", text.lower()).strip()


def _pieces(ln: Line) -> list[str]:
    """Masked texts of a line's parts split at wide gaps ("journal name ... page #"), so a
    footer matches whether or not a column gutter cut it in two on other pages."""
    out, cur = [], [ln.words[0]["text"]]
    for a, b in zip(ln.words, ln.words[1:]):
        if b["x0"] - a["x1"] >= max(8.0, 1.2 * (ln.size or 9)):
            out.append(" ".join(cur))
            cur = []
        cur.append(b["text"])
    out.append(" ".join(cur))
    return [_mask(t) for t in out]


def _detached(ln: Line, lines: list[Line], h: float) -> bool:
    """Furniture stands apart: the nearest line on its inner side (towards the page centre)
    that overlaps it horizontally is at least 1.5 x its font size away (a table row or body
    line running into the margin zone is not)."""
    top_zone = ln.top < h / 2
    gaps = [(o.top - ln.bottom) if top_zone else (ln.top - o.bottom) for o in lines
            if o is not ln and min(o.x1, ln.x1) - max(o.x0, ln.x0) > 0
            and ((o.top > ln.top) if top_zone else (o.top < ln.top))]
    gaps = [g for g in gaps if g > -0.5 * ln.size]
    return not gaps or min(gaps) >= 1.5 * ln.size


def remove_furniture(pages: list[list[Line]], sizes: list[tuple[float, float]]) -> list[list[Line]]:
    """Drop running headers/footers and page numbers (see module docstring)."""
    counts: Counter = Counter()
    for lines, (_, h) in zip(pages, sizes):
        seen = set()
        for ln in lines:
            if ln.top < MARGIN_ZONE * h or ln.bottom > (1 - MARGIN_ZONE) * h:
                seen.add(_mask(ln.text))
                seen.update(_pieces(ln))
        counts.update(seen)
    n = len(pages)
    repeated = {t for t, c in counts.items() if n >= 2 and c >= 2 and c >= 0.5 * n}
    sizes_c: Counter = Counter()
    for lines in pages:
        for ln in lines:
            sizes_c[ln.size] += len(ln.text)
    body = sizes_c.most_common(1)[0][0] if sizes_c else 0
    out = []
    for lines, (_, h) in zip(pages, sizes):
        keep = []
        for ln in lines:
            in_zone = (ln.top < MARGIN_ZONE * h or ln.bottom > (1 - MARGIN_ZONE) * h) and _detached(ln, lines, h)
            # a one-page document cannot show repetition: small print in the margin is furniture
            pieces = _pieces(ln)
            if in_zone and (_mask(ln.text) in repeated or _PAGE_NO.match(ln.text.strip())
                            or all(p in repeated or _PAGE_NO.match(p) for p in pieces)
                            or _PAGE_NO_EDGE.search(ln.text.strip()) or (n == 1 and ln.size < body - 1.0)):
                continue
            keep.append(ln)
        out.append(keep)
    return out
