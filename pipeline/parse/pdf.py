"""PDF full text -> sections, tables, evidence rows and references (pdfplumber), with every bad
PDF rejected as `PdfError` carrying a human reason (the nightly run quarantines it).

    parse_pdf(data: bytes | Path, *, max_pages=500, max_bytes=50 MiB) -> {
        "sections":      [{"name", "text", "page_start"}],
        "tables":        [{"page", "bbox", "header", "rows", "caption", "continued_pages"}],
        "evidence_rows": [{"ref", "author", "year", "design", "sample_size", "targets",
                           "target_groups", "guidance", "follow_up_days", "outcome_text", "doi"}],
        "references":    [{"number", "text", "doi", "first_author", "year"}],
    }
    pdf_sections_for_extractor(parsed) -> [{"name", "text"}]   (the extractor's `full_text`)

Pages are 1-based; a bbox is [x0, top, x1, bottom] in PDF points from the page's top-left; a
table continued over pages has the page and bbox of its first part and lists the others in
"continued_pages"; its caption includes the legend printed under it.

Method (each step in its own module)
1. Checks before parsing: size limit, "%PDF-" header, "%%EOF" trailer (truncation), then
   pdfplumber/pdfminer open (encryption needing a password, corruption), page count and page
   size limits. Any pdfminer failure while reading a page is a corrupt PDF, never a crash.
2. Per page: words with font and size and the ruling lines, read by pdfminer's interpreter
   (`pdf_words`, pdfplumber's table finder on those lines); ruled tables
   (`pdf_tables.ruled_tables`); the other
   words laid out in reading order with columns and margin line numbers handled (`pdf_layout`).
3. Document level: running headers, footers and page numbers removed (`pdf_layout`); unruled
   tables found by alignment; captions and legends attached; tables continued across pages
   joined (`pdf_tables`, `pdf_continued`); a document with no text at all is image-only.
4. Sections by heading detection (`pdf_sections`); hyphenation repaired from the document's own
   vocabulary; the reference list parsed (`references`); tables whose header maps onto the
   extraction fields become evidence rows linked to their references (`evidence_table`).
Deterministic and offline.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from .errors import PdfError
from .evidence_table import evidence_rows, is_evidence_table
from .pdf_layout import page_lines, remove_furniture
from .pdf_text import Dehyphenator
from .pdf_sections import body_size, split_sections
from .pdf_words import read_page
from .pdf_continued import continued_part, join_continued
from .pdf_captions import attach_captions
from .pdf_tables import RawTable, _inside, ruled_tables, unruled_tables
from .references import parse_references

MAX_PAGE_SIDE = 14400.0      # points: the PDF 1.7 limit (200 in); anything larger is absurd
MIN_PAGE_SIDE = 3.0


def _load(data: bytes | Path | str, max_bytes: int) -> bytes:
    if isinstance(data, (str, Path)):
        p = Path(data)
        try:
            size = p.stat().st_size
        except OSError as exc:
            raise PdfError(f"cannot read file: {exc}") from exc
        if size > max_bytes:
            raise PdfError(f"too large: {size} bytes exceeds the limit of {max_bytes} bytes")
        data = p.read_bytes()
    if not isinstance(data, (bytes, bytearray)):
        raise PdfError(f"not a PDF: expected bytes or a path, got {type(data).__name__}")
    if len(data) > max_bytes:
        raise PdfError(f"too large: {len(data)} bytes exceeds the limit of {max_bytes} bytes")
    if len(data) == 0:
        raise PdfError("not a PDF: empty file")
    if b"%PDF-" not in bytes(data[:1024]):
        raise PdfError("not a PDF: no %PDF- header")
    if b"%%EOF" not in bytes(data[-2048:]):
        raise PdfError("truncated PDF: no %%EOF marker at the end of the file")
    return bytes(data)


def _reason(exc: BaseException) -> str:
    chain, e = [], exc
    while e is not None and len(chain) < 5:
        chain.append(e)
        e = e.__cause__ or e.__context__
    names = " ".join(type(x).__name__ + " " + str(x) for x in chain)
    if re.search(r"password|encrypt", names, re.I):
        return "encrypted: the PDF needs a password to open"
    return f"corrupt PDF: {type(exc).__name__}: {str(exc)[:200] or 'unreadable'}"


def parse_pdf(data: bytes | Path, *, max_pages: int = 500, max_bytes: int = 50 * 1024 * 1024) -> dict:
    """Parse one PDF; raises PdfError with the reason for every bad PDF (see module docstring)."""
    raw = _load(data, max_bytes)
    import pdfplumber
    try:
        pdf = pdfplumber.open(io.BytesIO(raw))
    except Exception as exc:   # pdfminer raises many types for broken files
        raise PdfError(_reason(exc)) from exc
    try:
        return _parse(pdf, max_pages)
    except PdfError:
        raise
    except RecursionError as exc:
        raise PdfError("corrupt PDF: object structure too deeply nested") from exc
    except MemoryError:
        raise     # the bounded parser's child answers it; nothing here can recover
    except Exception as exc:
        raise PdfError(_reason(exc)) from exc
    finally:
        try:
            pdf.close()
        except Exception:
            pass


def declared_pages(pdf) -> int | None:
    """The page count the catalogue declares, read without enumerating the page tree."""
    from pdfminer.pdftypes import resolve1
    try:
        count = resolve1(resolve1(pdf.doc.catalog["Pages"]).get("Count"))
        return int(count) if count is not None else None
    except Exception:
        return None


def _parse(pdf, max_pages: int) -> dict:
    declared = declared_pages(pdf)
    if declared is not None and declared > max_pages:
        raise PdfError(f"too many pages: {declared} exceeds the limit of {max_pages}")
    try:
        n_pages = len(pdf.pages)
    except Exception as exc:
        raise PdfError(_reason(exc)) from exc
    if n_pages == 0:
        raise PdfError("corrupt PDF: no pages")
    if n_pages > max_pages:
        raise PdfError(f"too many pages: {n_pages} exceeds the limit of {max_pages}")
    pages_lines, sizes, tables, page_edges = [], [], [], []
    n_words = 0
    for pno, page in enumerate(pdf.pages):
        w, h = float(page.width), float(page.height)
        if not (MIN_PAGE_SIDE <= w <= MAX_PAGE_SIDE and MIN_PAGE_SIDE <= h <= MAX_PAGE_SIDE):
            raise PdfError(f"absurd page size: page {pno + 1} is {w:.0f} x {h:.0f} pt")
        try:
            words, edges, _, (w, h) = read_page(pdf.rsrcmgr, page.page_obj, h)
        except (RecursionError, MemoryError):
            raise
        except Exception as exc:
            raise PdfError(f"corrupt PDF: page {pno + 1} cannot be read ({type(exc).__name__}: "
                           f"{str(exc)[:160]})") from exc
        n_words += len(words)
        ruled = ruled_tables(edges, w, h, words, pno) if words else []
        if ruled:
            words = [wd for wd in words if not any(_inside(wd, t.bbox, pad=1) for t in ruled)]
        tables.extend(ruled)
        page_edges.append(edges)
        pages_lines.append(page_lines(words, pno, w, h) if words else [])
        sizes.append((w, h))
    if n_words == 0:
        raise PdfError("no text layer: image-only PDF (needs OCR)")
    pages_lines = remove_furniture(pages_lines, sizes)
    for pno, lines in enumerate(pages_lines):
        before = [t for t in tables if t.page == pno - 1]
        part, used = continued_part(lines, pno, max(before, key=lambda t: t.bbox[3]) if before else None)
        found, more = unruled_tables([ln for ln in lines if id(ln) not in used], pno, page_edges[pno])
        used |= more
        tables.extend(([part] if part else []) + found)
        if used:
            pages_lines[pno] = [ln for ln in lines if id(ln) not in used]
    all_lines = [ln for lines in pages_lines for ln in lines]
    bsize = body_size(all_lines)
    consumed: set[int] = set()
    for t in tables:
        consumed |= attach_captions(t, pages_lines[t.page], bsize)
    all_lines = [ln for ln in all_lines if id(ln) not in consumed]
    tables = join_continued(tables)
    dehyph = Dehyphenator([ln.text for ln in all_lines] +
                          [x for t in tables for row in t.rows for cell in row for x in cell])
    sections = split_sections(all_lines, dehyph)
    ref_lines = [ln.text for s in sections if s["name"] == "references" for ln in s["lines"]]
    references = parse_references(ref_lines, dehyph)
    out_tables, ev_rows = [], []
    for t in tables:
        d = _table_dict(t, dehyph)
        out_tables.append(d)
        if is_evidence_table(d["header"]):
            # caption and legend kept apart, so the legend's first definition stands alone
            notes = "; ".join(x for x in (t.caption, t.legend) if x) or None
            ev_rows.extend(evidence_rows(d["header"], d["rows"], notes, references))
    return {
        "sections": [{"name": s["name"], "text": s["text"], "page_start": s["page_start"]} for s in sections],
        "tables": out_tables,
        "evidence_rows": ev_rows,
        "references": references,
    }


def _cell(lines: list[str], dehyph: Dehyphenator) -> str:
    text = ""
    for ln in lines:
        text = dehyph.join(text, ln.strip())
    return text.strip()


def _table_dict(t: RawTable, dehyph: Dehyphenator) -> dict:
    rows = [[_cell(c, dehyph) for c in row] for row in t.rows]
    h = max(1, t.header_rows)
    header = [" ".join(x for x in col if x) for col in zip(*rows[:h])]
    caption = " ".join(x for x in (t.caption, t.legend) if x) or None
    return {
        "page": t.page + 1,
        "bbox": [round(float(v), 1) for v in t.bbox],
        "header": header,
        "rows": rows[h:],
        "caption": caption,
        "continued_pages": [p + 1 for p in t.continued_pages],
    }


def pdf_sections_for_extractor(parsed: dict) -> list[dict]:
    """The parsed sections as the extractor's `full_text` input: [{"name", "text"}], only
    sections with text (the extractor itself reads methods/results-like names)."""
    return [{"name": s["name"], "text": s["text"]} for s in parsed.get("sections", [])
            if (s.get("text") or "").strip()]
