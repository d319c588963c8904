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
import os
import zipfile
from pathlib import Path
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


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
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


def _clean_xml_text(text: str) -> str:
    # XML 1.0 forbids most control characters; a title with one must not break the file.
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 32)


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


def write_xlsx(path: Path, header: list[str], rows: list[list], sheet: str = "Sheet1") -> Path:
    """One sheet, header frozen; cells of columns named *_url are clickable links (sheet
    relationships, not HYPERLINK formulas)."""
    path, tmp = _atomic(path)
    lines, links = [], []
    url_columns = {c for c, name in enumerate(header) if str(name).endswith("_url")}
    for r, row in enumerate([header, *rows], start=1):
        cells = "".join(_cell(f"{_column(c)}{r}", v) for c, v in enumerate(row))
        lines.append(f'<row r="{r}">{cells}</row>')
        if r > 1:
            links += [(f"{_column(c)}{r}", row[c]) for c in sorted(url_columns)
                      if isinstance(row[c], str) and row[c].startswith(("https://", "http://"))]
    hyperlinks = "".join(f'<hyperlink ref="{ref}" r:id="rId{i}"/>' for i, (ref, _) in enumerate(links, 1))
    worksheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                 '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                 'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                 f'<sheetData>{"".join(lines)}</sheetData>'
                 f'{"<hyperlinks>" + hyperlinks + "</hyperlinks>" if links else ""}</worksheet>')
    sheet_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                  + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/'
                            f'officeDocument/2006/relationships/hyperlink" Target="{escape(url, {chr(34): "&quot;"})}" '
                            'TargetMode="External"/>' for i, (_, url) in enumerate(links, 1))
                  + "</Relationships>")
    workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                f'<sheets><sheet name="{escape(sheet[:31])}" sheetId="1" r:id="rId1"/></sheets></workbook>')
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as book:
            book.writestr("[Content_Types].xml", _CONTENT_TYPES)
            book.writestr("_rels/.rels", _RELS)
            book.writestr("xl/workbook.xml", workbook)
            book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
            book.writestr("xl/worksheets/sheet1.xml", worksheet)
            if links:
                book.writestr("xl/worksheets/_rels/sheet1.xml.rels", sheet_rels)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
