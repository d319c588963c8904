"""Tables as CSV and XLSX files an analyst opens in a spreadsheet, safely.

What: `write_csv(path, header, rows)` and `write_xlsx(path, header, rows, sheet)` write one
table atomically; `safe_cell(value)` is the text a CSV cell gets.

Why: titles and abstracts come from the internet. A title such as `=HYPERLINK("http://x",
"click")` is a formula to Excel, LibreOffice and Google Sheets when it starts a CSV cell
(formula injection, OWASP "CSV injection"), so CSV text cells starting with = + - @ or a
tab/CR get a leading apostrophe, which spreadsheets read as "this is text". Numbers stay
numbers. XLSX cells are typed: text is written as an inline string, never as a formula, so
it is kept verbatim. The XLSX writer is the Office Open XML minimum by hand (zipfile + XML),
to add no dependency for one sheet.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Callable, Iterable, Iterator
from xml.sax.saxutils import escape

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int | float:
    """A value for a CSV cell: text that a spreadsheet would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _atomic(path: Path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path, path.with_name(f".{path.name}.tmp-{os.getpid()}")


def write_csv(path: Path, header: list[str], rows: Iterable[list]) -> Path:
    """The table as CSV, rows streamed as they come."""
    path, tmp = _atomic(path)
    try:
        with open(tmp, "w", newline="", encoding="utf-8-sig") as out:   # BOM: Excel reads UTF-8
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows([safe_cell(v) for v in row] for row in rows)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _column(n: int) -> str:
    name = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return name


# XML 1.0 forbids most control characters; a title with one must not break the file.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _clean_xml_text(text: str) -> str:
    return _XML_FORBIDDEN.sub("", text)


def _cell(ref: str, value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if isinstance(value, (int, float)) and value == value:
        return f'<c r="{ref}"><v>{value!r}</v></c>' if isinstance(value, float) else f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    text = escape(_clean_xml_text(str(value)))
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""


def write_xlsx(path: Path, header: list[str], rows: Iterable[list], sheet: str = "Sheet1") -> Path:
    """One sheet, header frozen; cells of columns named *_url are clickable links (sheet
    relationships, not HYPERLINK formulas). `rows` is streamed (see `write_book`)."""
    letters = [_column(c) for c in range(len(header))]
    url_columns = [c for c, name in enumerate(header) if str(name).endswith("_url")]

    def rendered():
        for r, row in enumerate(rows, start=2):
            cells = "".join(_cell(f"{letters[c]}{r}", v) for c, v in enumerate(row))
            yield cells, [(c, row[c]) for c in url_columns]
    return write_book(path, header, rendered(), sheet)


def _hyperlink(ref: str, link: int) -> str:
    return f'<hyperlink ref="{ref}" r:id="rId{link}"/>'


def _relationship(link: int, url: str) -> str:
    return (f'<Relationship Id="rId{link}" Type="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/relationships/hyperlink" '
            f'Target="{escape(url, {chr(34): "&quot;"})}" TargetMode="External"/>')


def is_link(url) -> bool:
    """Whether a *_url cell becomes a clickable link: an http(s) URL."""
    return isinstance(url, str) and url.startswith(("https://", "http://"))


def write_book(path: Path, header: list[str], rendered: Iterable[tuple[str, list]],
               sheet: str = "Sheet1") -> Path:
    """The workbook from rows already rendered as cell XML: each item of `rendered` is the
    `<c>` elements of one data row (row 2, 3, ...) and its [(column index, url)] candidates
    for links (kept when they are http(s) URLs). The links collect in temporary files, so
    memory stays flat whatever the number of rows (Excel's own limit is 1,048,576)."""
    letters = [_column(c) for c in range(len(header))]
    with tempfile.TemporaryFile("w+", encoding="utf-8") as hyperlinks, \
            tempfile.TemporaryFile("w+", encoding="utf-8") as relationships:
        def rows():
            links = 0
            for r, (cells, candidates) in enumerate(rendered, start=2):
                yield f'<row r="{r}">{cells}</row>'
                for c, url in candidates:
                    if is_link(url):
                        links += 1
                        hyperlinks.write(_hyperlink(f"{letters[c]}{r}", links))
                        relationships.write(_relationship(links, url))
        return write_package(path, header, rows(), lambda: _spooled(hyperlinks),
                             lambda: _spooled(relationships), sheet)


def _spooled(spool) -> Iterator[str]:
    spool.seek(0)
    while block := spool.read(1 << 20):
        yield block


def write_package(path: Path, header: list[str], rows: Iterable[str],
                  hyperlinks: Callable[[], Iterable[str]],
                  relationships: Callable[[], Iterable[str]], sheet: str = "Sheet1") -> Path:
    """The workbook's zip, atomically: `rows` is the sheet's `<row>` elements after the header
    (any blocks of them), `hyperlinks()` and `relationships()` give the `<hyperlink>` and
    `<Relationship>` elements of its links once the rows are written. The sheet XML goes
    straight into the zip entry, so nothing is held whole in memory."""
    path, tmp = _atomic(path)
    letters = [_column(c) for c in range(len(header))]
    workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                f'<sheets><sheet name="{escape(sheet[:31])}" sheetId="1" r:id="rId1"/></sheets></workbook>')
    try:
        # Level 1: a sheet of 50k rows compresses ~3x faster than at the default level, and
        # its repetitive XML still shrinks about as much.
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
            book.writestr("[Content_Types].xml", _CONTENT_TYPES)
            book.writestr("_rels/.rels", _RELS)
            book.writestr("xl/workbook.xml", workbook)
            book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
            with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as raw, \
                    io.TextIOWrapper(raw, encoding="utf-8") as out:
                out.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                          '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                          '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                          'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>')
                titles = "".join(_cell(f"{letters[c]}1", v) for c, v in enumerate(header))
                out.write(f'<row r="1">{titles}</row>')
                out.writelines(rows)
                out.write("</sheetData>")
                links = False
                for block in hyperlinks():
                    if not links:
                        out.write("<hyperlinks>")
                        links = True
                    out.write(block)
                out.write("</hyperlinks></worksheet>" if links else "</worksheet>")
            if links:
                with book.open("xl/worksheets/_rels/sheet1.xml.rels", "w") as raw, \
                        io.TextIOWrapper(raw, encoding="utf-8") as out:
                    out.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">')
                    out.writelines(relationships())
                    out.write("</Relationships>")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
