"""Column boundaries of a table drawn without vertical rules.

Method
* Segments: a visual line splits into segments where the gap between words exceeds 1.5 x the
  font size; the separators are the gaps in the x-projection of the segments of a block's lines.
* Rule joints: publishing toolchains often draw the rule under a header as one piece per
  column (the cell borders of the table model, with only the bottom one visible). Where a
  horizontal rule is made of three or more abutting pieces spanning most of the table's width,
  the joints between the pieces are the column boundaries; they are trusted over the gaps when
  they mark as many columns or more (tight tables whose columns stand closer than the gap
  threshold).
* Header: the lines above that rule are the header rows; a short rule under a header cell
  (between two header lines) marks the columns the cell spans, and the cell names each of them
  ("Age, mean ± SD" over "Tea" and "Control").
* A line with a word straddling a separator is not a table row (body text crosses them).
"""

from __future__ import annotations

from .pdf_layout import Line


def segments(ln: Line) -> list[list]:
    thr = 1.5 * (ln.size or 9)
    segs, cur = [], [ln.words[0]]
    for a, b in zip(ln.words, ln.words[1:]):
        if b["x0"] - a["x1"] > thr:
            segs.append(cur)
            cur = []
        cur.append(b)
    segs.append(cur)
    return segs


def separators(lines: list[Line]) -> list[float]:
    spans = sorted((min(w["x0"] for w in s), max(w["x1"] for w in s)) for ln in lines for s in segments(ln))
    seps, end = [], None
    size = sorted(ln.size for ln in lines)[len(lines) // 2] or 9
    for a, b in spans:
        if end is not None and a - end > 1.2 * size:
            seps.append((a + end) / 2)
        end = b if end is None else max(end, b)
    return seps


def straddles(ln: Line, seps: list[float]) -> bool:
    return any(w["x0"] < s - 0.5 and w["x1"] > s + 0.5 for w in ln.words for s in seps)


def rule_joints(edges: list, x0: float, x1: float, top: float, bottom: float) -> list[float]:
    """Inner joints of the horizontal rule drawn in abutting pieces (one per column) that lies
    between `top` and `bottom` and spans at least 80 % of [x0, x1]; [] if there is none."""
    return header_rule(edges, x0, x1, top, bottom)[1]


def header_rule(edges: list, x0: float, x1: float, top: float, bottom: float) -> tuple[float | None, list[float]]:
    """(y, inner joints) of that rule; (None, []) if there is none."""
    rows: dict[int, set] = {}
    for e in edges:
        if e["orientation"] == "h" and top - 1 <= e["top"] <= bottom + 1 and e["x1"] - e["x0"] >= 2:
            rows.setdefault(round(e["top"]), set()).add((round(e["x0"], 1), round(e["x1"], 1)))
    best: list[float] = []
    best_y = None
    for y, pieces in rows.items():
        pieces = sorted(pieces)
        joints, run_start, end = [], pieces[0][0], pieces[0][1]
        for a, b in pieces[1:]:
            if abs(a - end) <= 1.5:
                joints.append((a + end) / 2)
            elif a > end + 1.5:
                break                  # a gap: only the first run of abutting pieces
            end = max(end, b)
        if len(joints) >= 2 and end - run_start >= 0.8 * (x1 - x0) and len(joints) > len(best):
            best, best_y = joints, float(y)
    return best_y, [j for j in best if x0 < j < x1]


def span_rules(edges: list, x0: float, x1: float, top: float, bottom: float) -> list[tuple[float, float, float]]:
    """The short rules between `top` and `bottom` (under a header cell spanning columns: they
    mark the columns it spans), as (x0, x1, y), narrower than 80 % of [x0, x1]."""
    found: dict[tuple, float] = {}       # a rule drawn as a thin box has two edges: one rule
    for e in sorted(edges, key=lambda e: e["top"]):
        if e["orientation"] == "h" and top <= e["top"] <= bottom and 4 <= e["x1"] - e["x0"] < 0.8 * (x1 - x0):
            key = (round(e["x0"]), round(e["x1"]), round(e["top"] / 2))
            found.setdefault(key, (round(e["x0"], 1), round(e["x1"], 1), round(e["top"], 1)))
    return sorted(found.values())
