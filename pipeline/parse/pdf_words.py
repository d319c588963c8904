"""Fast words and ruling lines of a PDF page, straight from pdfminer's interpreter.

pdfplumber turns every glyph into a dict with two dozen resolved attributes (colours, graphic
state, ...), which costs most of the parse time on text-dense pages. This module runs pdfminer's
`PDFPageInterpreter` with a device that keeps, per glyph, only its text, box and font, and lets
pdfminer build its usual line/rectangle objects for the page's vector graphics.

* Glyph boxes are computed as pdfminer's `LTChar` does (advance = width x size x scaling, the
  font's descent and the text rise, through the text matrix); vertical writing is skipped.
* Words: glyphs in content-stream order join a word while they sit on the same baseline (tops
  within 1 pt) and the gap to the previous glyph is between -max(1, size/5) and min(3 pt, 0.18 x size)
  (pdfplumber's default x tolerance is 3 pt, which glues the words of tight TeX lines); white space ends a word. Ligatures are expanded.
  Word dicts have pdfplumber's keys: text, x0, x1, top, bottom, fontname, size.
* Glyphs drawn rotated (a vertical arXiv id or "Downloaded from" stamp in the margin) are left
  out; a page whose text is mostly rotated is read turned, in its text's orientation.
* Kerned pairs may overlap by up to a fifth of the font size and still join.
* Edges: straight lines and rectangle sides as pdfplumber edge dicts (orientation "h"/"v"),
  except page-sized fill-only rectangles (backgrounds),
  which pdfplumber's `TableFinder` turns into cells (`ruled_cells`).
Coordinates: points from the page's top-left, as in pdfplumber.
"""

from __future__ import annotations

from pdfminer.converter import PDFLayoutAnalyzer
from pdfminer.layout import LTCurve, LTFigure, LTLine, LTRect
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import PDFException
from pdfminer.utils import apply_matrix_pt

LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
             "\ufb05": "st", "\ufb06": "st"}
X_TOLERANCE = 3.0


class _Device(PDFLayoutAnalyzer):
    def __init__(self, rsrcmgr):
        super().__init__(rsrcmgr, pageno=1, laparams=None)
        self.glyphs: list[tuple] = []
        self.rotated = 0
        self.layout = None

    def render_char(self, matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate) -> float:
        try:
            text = font.to_unichr(cid)
        except Exception:
            text = f"(cid:{cid})"
        adv = font.char_width(cid) * fontsize * scaling
        if font.is_vertical():
            return adv
        a, b = matrix[0], matrix[1]
        if not (a > 0 and abs(b) <= 0.1 * a):   # rotated glyphs: margin stamps, sideways labels
            self.rotated += 1
            return adv
        descent = font.get_descent() * fontsize
        x0, y0 = apply_matrix_pt(matrix, (0, descent + rise))
        x1, y1 = apply_matrix_pt(matrix, (adv, descent + rise + fontsize))
        if x1 < x0:
            x0, x1 = x1, x0
        if y1 < y0:
            y0, y1 = y1, y0
        self.glyphs.append((text, x0, x1, y0, y1, font.fontname))
        return adv

    def receive_layout(self, ltpage) -> None:
        self.layout = ltpage


def _run(rsrcmgr, page_obj) -> _Device:
    dev = _Device(rsrcmgr)
    PDFPageInterpreter(rsrcmgr, dev).process_page(page_obj)
    return dev


def read_page(rsrcmgr, page_obj, height: float | None = None) -> tuple[list[dict], list[dict], int, tuple]:
    """(words, edges, n_images, (width, height)) of one pdfminer page, turned so that most of
    its text is upright (a landscape page whose /Rotate or drawing leaves the text sideways is
    read in its text's own orientation)."""
    dev = _run(rsrcmgr, page_obj)
    if dev.rotated > 2 * len(dev.glyphs):
        original = page_obj.rotate
        for extra in (90, 270, 180):
            page_obj.rotate = (original + extra) % 360
            turned = _run(rsrcmgr, page_obj)
            if len(turned.glyphs) > 2 * turned.rotated:
                dev = turned
                break
        else:
            page_obj.rotate = original
    size = (dev.layout.width, dev.layout.height) if dev.layout is not None else (0.0, height or 0.0)
    height = size[1]
    words = _words(dev.glyphs, height)
    edges: list[dict] = []
    images = 0
    stack = list(dev.layout or [])
    width = dev.layout.width if dev.layout is not None else 0
    while stack:
        item = stack.pop()
        if isinstance(item, LTFigure):
            images += 1
            stack.extend(item)
        elif isinstance(item, (LTLine, LTRect, LTCurve)) and not _background(item, width, height):
            edges.extend(_edges(item, height))
    return words, edges, images, size


def _words(glyphs: list[tuple], height: float) -> list[dict]:
    words: list[dict] = []
    cur = None
    for text, x0, x1, y0, y1, font in glyphs:
        if not text or text.isspace():
            cur = None
            continue
        text = LIGATURES.get(text, text)
        top, bottom = height - y1, height - y0
        # A kerned pair ("Ta", "Yo" in Chromium's output) overlaps by up to a fifth of the size.
        # Word gaps scale with the font: a tight justified line in 10 pt TeX (no space glyphs)
        # leaves ~2.2 pt between words, letters < 1 pt.
        overlap = max(1.0, 0.2 * (y1 - y0))
        gap = min(X_TOLERANCE, 0.18 * (y1 - y0))
        if cur is not None and abs(top - cur["top"]) <= 1.0 and -overlap <= x0 - cur["x1"] <= gap:
            cur["text"] += text
            cur["x1"] = max(cur["x1"], x1)
            cur["bottom"] = max(cur["bottom"], bottom)
            continue
        cur = {"text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
               "fontname": font, "size": y1 - y0}
        words.append(cur)
    return words


def _background(item, width: float, height: float) -> bool:
    """A filled, unstroked box covering much of the page (a page or panel colour, as
    HTML-to-PDF renderers paint it) is background, not a rule: its sides would otherwise box
    the table into extra columns."""
    return (isinstance(item, LTRect) and getattr(item, "fill", False) and not getattr(item, "stroke", False)
            and item.width > 0.5 * width and item.height > 0.3 * height)


def _edge(x0, x1, top, bottom, orientation, kind) -> dict:
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
            "orientation": orientation, "object_type": kind, "doctop": top}


def _edges(item, height: float) -> list[dict]:
    x0, x1 = item.x0, item.x1
    top, bottom = height - item.y1, height - item.y0
    if isinstance(item, LTLine) or (isinstance(item, LTCurve) and not isinstance(item, LTRect)):
        if bottom - top <= 1.0 and x1 - x0 > 1.0:
            y = (top + bottom) / 2
            return [_edge(x0, x1, y, y, "h", "line")]
        if x1 - x0 <= 1.0 and bottom - top > 1.0:
            x = (x0 + x1) / 2
            return [_edge(x, x, top, bottom, "v", "line")]
        return []
    return [_edge(x0, x1, top, top, "h", "rect_edge"), _edge(x0, x1, bottom, bottom, "h", "rect_edge"),
            _edge(x0, x0, top, bottom, "v", "rect_edge"), _edge(x1, x1, top, bottom, "v", "rect_edge")]


class _EdgePage:
    """The little of a pdfplumber Page that TableFinder's lines strategy reads."""

    def __init__(self, edges, width, height):
        self.edges = edges
        self.bbox = (0, 0, width, height)


def ruled_cells(edges: list[dict], width: float, height: float):
    """pdfplumber tables (objects with .bbox, .rows[i].cells, .cells) from the page's edges."""
    from pdfplumber.table import TableFinder
    if sum(1 for e in edges if e["orientation"] == "v") < 2 or sum(1 for e in edges if e["orientation"] == "h") < 2:
        return []
    return TableFinder(_EdgePage(edges, width, height), {}).tables


__all__ = ["read_page", "ruled_cells", "PDFException"]
