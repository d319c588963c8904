"""Evidence tables: a table whose header maps onto the extraction fields becomes evidence rows,
normalised like the extractor's values and linked to the works they cite.

Method
* Header mapping: each header cell is lower-cased, stripped of punctuation and matched against
  synonyms per field ("Author, Year" / "Study" -> author; "Patients (n)" / "N" / "Total N" /
  "Sample" -> sample_size; "Target(s)" / "Nerve" -> targets; "Guidance" / "Imaging" -> guidance; "Follow up"
  -> follow_up; "Outcome(s)" / "Results" -> outcome; "Design" / "Study type" -> design; "Ref" ->
  ref; "Year" -> year). A table is an evidence table when an author/study or ref column and at
  least three of design, sample size, targets, guidance, follow-up and outcome are present.
* Legend: the caption and the note under the table are read for "CODE, long form;" (also
  "CODE = long form", "CODE: long form", and "CODE Long form, CODE long form, ..." where the
  codes hold two or more capitals or digits and most comma-separated items read so; a code
  defined twice keeps its first definition) definitions. Design cells are expanded by them (the
  table's own "OP, observational prospective" wins over conventional codes); guidance and target
  cells have their abbreviations ("US", "NS", "IPBSN") replaced by the long forms.
* Values: `field_normalisers` (the extractor's vocabularies): design enum, sample size, targets
  and target groups, guidance list, follow-up in days (a bare number takes the header's unit).
  The outcome stays the cell text.
* Linking: the reference number in the row ("[7]", "(7)", a Ref column, a trailing superscript
  number) picks the reference from the parsed list and its DOI; a row without a number is linked
  to the unique reference with the same first-author surname and year.
"""

from __future__ import annotations

import re
import unicodedata

from . import field_normalisers as fn

FIELD_PATTERNS = [
    ("follow_up", r"follow|duration"),
    ("guidance", r"guidance|imaging|image|modality|guided"),
    ("targets", r"target|nerve|structure"),
    ("design", r"design|study type|type of study|type"),
    ("sample_size", r"^n$|^no$|^total (?:n|no)$|patients|participants|sample|subjects|number|cases|enrolled|^n \w+"),
    ("outcome", r"outcome|result|finding|efficacy|effect"),
    ("author", r"author|study|trial|source|publication|first"),
    ("year", r"^year$|publication year|^year of publication$"),
    ("ref", r"^(?:ref|refs|reference|references|citation|no|#)$"),
]
CORE = ("design", "sample_size", "targets", "guidance", "follow_up", "outcome")
_LEGEND_ITEM = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+/\-]{0,9})\s*(?:,|=|:|\u2013|\u2014)\s*(.+?)\s*$")
_SPACED_ITEM = re.compile(r"^([A-Za-z]*[A-Z][A-Za-z0-9+/\-]{0,9})\s+([A-Za-z][^,;]*?)$")
_REF_BRACKET = re.compile(r"\[(\d{1,3})(?:\s*[,\u2013-]\s*\d{1,3})*\]|\((\d{1,3})\)")
_REF_TRAILING = re.compile(r"(?<=[\w.,)])\s*(\d{1,3})$")
_YEAR = re.compile(r"\b((?:19|20)\d{2})[a-z]?\b")


def _norm_header(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9#]+", " ", text.lower())).strip()


def map_header(header: list[str]) -> dict[str, int]:
    """field -> column index for the columns whose header matches a field's synonyms."""
    out: dict[str, int] = {}
    for i, h in enumerate(header):
        n = _norm_header(h)
        if not n:
            continue
        for field, pat in FIELD_PATTERNS:
            if field not in out and re.search(pat, n):
                out[field] = i
                break
    return out


def is_evidence_table(header: list[str]) -> bool:
    m = map_header(header)
    return ("author" in m or "ref" in m) and sum(1 for f in CORE if f in m) >= 3


def _spaced_legend(text: str) -> dict[str, str]:
    """'RCT Randomized Clinical Trial, OR Observational retrospective, ...' and 'CRA colorectal
    adenoma, hsCRP high-sensitivity C-reactive protein, ...': a code (two or more capitals or
    digits) followed by a space and its long form, items separated by commas. Taken only when
    most items read so."""
    items = [i.strip().rstrip(".") for i in re.split(r",\s+|;\s*", text) if i.strip()]
    found: dict[str, str] = {}
    for item in items:
        m = _SPACED_ITEM.match(item)
        # a code has two capitals or a capital and a digit ("CRA", "T2DM", "hsCRP", "HDL-C");
        # the first definition of a code stands
        if m and len(m.group(2)) <= 80 and sum(c.isupper() or c.isdigit() for c in m.group(1)) >= 2:
            found.setdefault(m.group(1), m.group(2).strip())
    return found if len(found) >= 3 and len(found) >= 0.6 * len(items) else {}


def parse_legend(text: str | None) -> dict[str, str]:
    """'RCT, randomised controlled trial; US, ultrasound.' -> {'RCT': ..., 'US': 'ultrasound'};
    also 'RCT Randomized Clinical Trial, OR Observational retrospective, ...'."""
    legend: dict[str, str] = {}
    if not text:
        return legend
    spaced = _spaced_legend(text)
    for item in re.split(r";|\.\s+(?=[A-Z])|\.$", text):
        m = _LEGEND_ITEM.match(item)
        if not m:
            continue
        code, long = m.group(1), m.group(2).strip().rstrip(".")
        if code.lower() in ("table", "figure", "note", "notes"):
            continue
        if not (any(c.isupper() for c in code) or len(code) <= 3) or len(long) > 80:
            continue
        legend[code] = long
    if len(spaced) > len(legend):
        return spaced
    return legend


def _expand(text: str, legend: dict[str, str]) -> str:
    if not legend or not text:
        return text
    for code in sorted(legend, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(code)}(?![\w-])", legend[code], text)
    return text


def _fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)).lower()


def _author_year_ref(cell: str) -> tuple[str | None, int | None, int | None]:
    ref = None
    m = _REF_BRACKET.search(cell)
    rest = cell
    if m:
        ref = int(m.group(1) or m.group(2))
        rest = cell[: m.start()] + cell[m.end():]
    y = _YEAR.search(rest)
    year = int(y.group(1)) if y else None
    if y:
        after = rest[y.end():]
        t = _REF_TRAILING.search(after.strip()) if ref is None else None
        if t:
            ref = int(t.group(1))
        rest = rest[: y.start()]
    author = re.split(r",|\bet al\b|\(|;", rest)[0].strip(" .,")
    return author or None, year, ref


def evidence_rows(header: list[str], rows: list[list[str]], legend_text: str | None,
                  references: list[dict]) -> list[dict]:
    m = map_header(header)
    legend = parse_legend(legend_text)
    by_number = {r["number"]: r for r in references}
    out = []

    def cell(row, field):
        i = m.get(field)
        return row[i].strip() if i is not None and i < len(row) and row[i] else ""

    for row in rows:
        if not any(c.strip() for c in row):
            continue
        author, year, ref = _author_year_ref(cell(row, "author")) if "author" in m else (None, None, None)
        if "year" in m and not year:
            y = _YEAR.search(cell(row, "year"))
            year = int(y.group(1)) if y else None
        if "ref" in m:
            r = re.search(r"\d{1,3}", cell(row, "ref"))
            ref = int(r.group(0)) if r else ref
        linked = by_number.get(ref) if ref is not None else None
        if linked is None and author:
            cands = [r for r in references if r.get("first_author") and _fold(r["first_author"]) == _fold(author)
                     and (year is None or r.get("year") == year)]
            if len(cands) == 1:
                linked = cands[0]
                ref = linked["number"]
        design_cell = cell(row, "design")
        # The table's own legend first, also for a code with a qualifier ("RCT vs Sham").
        design_text = legend.get(design_cell.strip()) or _expand(design_cell, legend)
        targets, groups = fn.targets_of(_expand(cell(row, "targets"), legend))
        out.append({
            "ref": ref if linked is not None or ref is not None else None,
            "author": author,
            "year": year,
            "design": fn.design_of(design_text),
            "sample_size": fn.sample_size_of(cell(row, "sample_size")),
            "targets": targets,
            "target_groups": groups,
            "guidance": fn.guidance_of(_expand(cell(row, "guidance"), legend)),
            "follow_up_days": fn.follow_up_days(_expand(cell(row, "follow_up"), legend),
                                                header[m["follow_up"]] if "follow_up" in m else None),
            "outcome_text": cell(row, "outcome") or None,
            "doi": linked.get("doi") if linked else None,
        })
    return out
