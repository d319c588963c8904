"""Builds the PDFs the parse tests read (reportlab, deterministic: invariant mode, core fonts).

Every builder returns (pdf_bytes, truth) where truth is what a correct parser must recover.
Body text is set by `HyphenPara`, a tiny typesetter that breaks an over-long word at the line
end with a hyphen ("cryo-" / "neurolysis"), so de-hyphenation is tested against known text.
Every page carries a running header and a "Page N of M" footer.
"""

from __future__ import annotations

import io
import random

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, NextPageTemplate, PageBreak, PageTemplate,
                                Paragraph, Table, TableStyle)

HEADER = "Illustrative Journal of Regional Pain 2024;12:1-20 | doi:10.9999/ijrp.2024.001"
H1 = ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=11.5, leading=14, spaceBefore=8, spaceAfter=4)
H2 = ParagraphStyle("h2", fontName="Helvetica-Oblique", fontSize=9.5, leading=12, spaceBefore=4, spaceAfter=2)
TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=16, leading=19, spaceAfter=8)
AUTH = ParagraphStyle("auth", fontName="Helvetica", fontSize=9, leading=11, spaceAfter=6)
CAPTION = ParagraphStyle("cap", fontName="Helvetica-Bold", fontSize=8.6, leading=10.5, spaceAfter=4)
LEGEND = ParagraphStyle("leg", fontName="Helvetica", fontSize=7, leading=8.6, spaceBefore=3, spaceAfter=8)
CELL = ParagraphStyle("cell", fontName="Helvetica", fontSize=7.3, leading=8.6)
CELL_HEAD = ParagraphStyle("cellh", parent=CELL, fontName="Helvetica-Bold")


class HyphenPara(Flowable):
    """Left-aligned paragraph; a word that overflows the line is split with a hyphen when both
    halves have at least 3 letters (so soft hyphens appear at line ends)."""

    def __init__(self, text, font="Times-Roman", size=9.5, leading=11.6, space_after=5, lines=None):
        super().__init__()
        self.text, self.font, self.size, self.leading, self.space_after = text, font, size, leading, space_after
        self._lines = lines

    def _layout(self, width):
        lines, cur = [], ""
        for word in self.text.split():
            cand = f"{cur} {word}" if cur else word
            if stringWidth(cand, self.font, self.size) <= width:
                cur = cand
                continue
            split = None
            if word.isalpha() and len(word) >= 7:
                for k in range(len(word) - 3, 2, -1):
                    head = (f"{cur} " if cur else "") + word[:k] + "-"
                    if stringWidth(head, self.font, self.size) <= width:
                        split = k
                        break
            if split:
                lines.append((f"{cur} " if cur else "") + word[:split] + "-")
                cur = word[split:]
            else:
                if cur:
                    lines.append(cur)
                cur = word
        if cur:
            lines.append(cur)
        return lines

    def wrap(self, aw, ah):
        if not getattr(self, "_fixed", False) and (self._lines is None or getattr(self, "_w", None) != aw):
            self._lines = self._layout(aw)
            self._w = aw
        self.width, self.height = aw, len(self._lines) * self.leading
        return aw, self.height

    def getSpaceAfter(self):
        return self.space_after

    def split(self, aw, ah):
        self.wrap(aw, ah)
        n = int(ah // self.leading)
        if n <= 0 or n >= len(self._lines):
            return []
        a = HyphenPara(self.text, self.font, self.size, self.leading, 0, self._lines[:n])
        b = HyphenPara(self.text, self.font, self.size, self.leading, self.space_after, self._lines[n:])
        a._fixed = b._fixed = True
        return [a, b]

    def draw(self):
        self.canv.setFont(self.font, self.size)
        for i, line in enumerate(self._lines):
            self.canv.drawString(0, self.height - (i + 1) * self.leading + (self.leading - self.size) * 0.6, line)

    @property
    def hyphenated(self) -> list[str]:
        return [ln for ln in (self._lines or []) if ln.endswith("-")]


def _canvas(header: str | None, line_numbers: bool = False):
    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                w, h = self._pagesize
                self.setFont("Helvetica", 7.2)
                if header:
                    self.drawString(40, h - 28, header)
                    self.line(40, h - 33, w - 40, h - 33)
                self.drawRightString(w - 40, 24, f"Page {self._pageNumber} of {total}")
                if line_numbers:
                    self.setFont("Helvetica", 6.5)
                    y, n = h - 60, 1
                    while y > 60:
                        self.drawRightString(44, y, str(n))
                        y -= 11.6
                        n += 1
                super().showPage()
            super().save()

    return NumberedCanvas


def _build(story, templates, header=HEADER, line_numbers=False, pagesize=LETTER, **kw) -> bytes:
    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=pagesize, pageTemplates=templates, invariant=1,
                          title="litmine test PDF", author="litmine tests", **kw)
    doc.build(story, canvasmaker=_canvas(header, line_numbers))
    return buf.getvalue()


def _frames(pagesize=LETTER, columns=1, top_reserved=0.0, left=54, right=54, top=50, bottom=52, gap=18):
    w, h = pagesize
    full = w - left - right
    hgt = h - top - bottom - top_reserved
    if columns == 1:
        return [Frame(left, bottom, full, hgt, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)]
    col = (full - gap) / 2
    return [Frame(left, bottom, col, hgt, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0),
            Frame(left + col + gap, bottom, col, hgt, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)]


# ------------------------------------------------------------------------------------------
# Text

_WORDS = ("cryoneurolysis percutaneous ultrasound-guided genicular infrapatellar intercostal "
          "suprascapular spasticity analgesia neuropathic randomised observational radiofrequency "
          "fluoroscopy axonotmesis regeneration conduction peripheral osteoarthritis thoracotomy "
          "procedure clinically outpatient temperature patients reported relief months weeks the of "
          "and a with in after at for was were by nerve pain block probe study trial").split()


def prose(seed: int, sentences: int = 6) -> str:
    rnd = random.Random(seed)
    out = []
    for _ in range(sentences):
        words = [rnd.choice(_WORDS) for _ in range(rnd.randint(12, 22))]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


ARTICLE_SECTIONS = [("introduction", "1. Introduction"), ("methods", "2. Methods"),
                    ("results", "3. Results"), ("discussion", "4. Discussion")]


def two_column_article(line_numbers: bool = False) -> tuple[bytes, dict]:
    """Title and abstract full width, then four numbered sections in two columns over ~3 pages."""
    title = "Cryoneurolysis of the genicular nerves for knee pain: a two-column test article"
    abstract = prose(1, 4)
    paras = {name: [prose(10 * i + k, 7) for k in range(3)] for i, (name, _) in enumerate(ARTICLE_SECTIONS, 1)}
    w, h = LETTER
    front = [Paragraph(title, TITLE), Paragraph("Ada Example, Ben Sample", AUTH),
             Paragraph("Abstract", H1), HyphenPara(abstract, size=9.2, leading=11.2)]
    front_h = sum(f.wrap(w - 108, h)[1] + f.getSpaceAfter() + f.getSpaceBefore() for f in front) + 10
    first = PageTemplate(id="first", frames=[Frame(54, h - 50 - front_h, w - 108, front_h, leftPadding=0,
                                                   rightPadding=0, topPadding=0, bottomPadding=0)]
                         + _frames(columns=2, top_reserved=front_h + 6))
    rest = PageTemplate(id="rest", frames=_frames(columns=2))
    from reportlab.platypus import FrameBreak
    story = [NextPageTemplate("rest")] + front + [FrameBreak()]
    body_paras = []
    for name, head in ARTICLE_SECTIONS:
        story.append(Paragraph(head, H1))
        for p in paras[name]:
            hp = HyphenPara(p)
            body_paras.append(hp)
            story.append(hp)
    pdf = _build(story, [first, rest], line_numbers=line_numbers)
    hyph = [ln.split()[-1] for hp in body_paras for ln in hp.hyphenated]
    return pdf, {"title": title, "abstract": abstract, "sections": {n: " ".join(p) for n, p in paras.items()},
                 "hyphenated": hyph}


# ------------------------------------------------------------------------------------------
# Tables

def _ruled_style(header_bold=True):
    st = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
          ("FONT", (0, 0), (-1, -1), "Helvetica", 8), ("TOPPADDING", (0, 0), (-1, -1), 2.5),
          ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]
    if header_bold:
        st.append(("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8))
    return TableStyle(st)


def _single(story, header=HEADER, line_numbers=False) -> bytes:
    return _build(story, [PageTemplate(id="p", frames=_frames())], header=header, line_numbers=line_numbers)


SIMPLE = [["Nerve", "Patients", "Mean NRS before", "Mean NRS after"],
          ["Genicular", "24", "7.1", "3.2"], ["Intercostal", "12", "6.4", "2.9"],
          ["Suprascapular", "18", "7.2", "3.9"], ["Occipital", "9", "6.8", "4.4"]]


def ruled_table_pdf() -> tuple[bytes, dict]:
    t = Table(SIMPLE, colWidths=[120, 70, 100, 100], hAlign="LEFT")
    t.setStyle(_ruled_style())
    story = [Paragraph("Results", H1), HyphenPara(prose(3, 3)), Paragraph("Table 2. Pain scores by nerve", CAPTION), t,
             Paragraph("NRS, numeric rating scale.", LEGEND), HyphenPara(prose(4, 3))]
    return _single(story), {"header": SIMPLE[0], "rows": SIMPLE[1:], "caption": "Table 2. Pain scores by nerve"}


UNRULED = [["Outcome", "Cryo (n = 30)", "Sham (n = 30)", "p"],
           ["NRS at 1 month", "3.1 (1.2)", "5.0 (1.4)", "<0.001"],
           ["NRS at 3 months", "3.9 (1.6)", "5.2 (1.5)", "0.002"],
           ["WOMAC at 3 months", "28 (11)", "39 (12)", "0.01"],
           ["Opioid use, n (%)", "6 (20)", "14 (47)", "0.03"]]


def unruled_table_pdf() -> tuple[bytes, dict]:
    t = Table(UNRULED, colWidths=[150, 90, 90, 50], hAlign="LEFT")
    t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "Times-Roman", 9), ("FONT", (0, 0), (-1, 0), "Times-Bold", 9),
                           ("ALIGN", (1, 0), (-1, -1), "RIGHT")]))
    story = [Paragraph("Results", H1), HyphenPara(prose(5, 3)), Paragraph("Table 1. Outcomes at follow-up", CAPTION),
             t, Paragraph("Values are mean (SD) unless stated.", LEGEND), HyphenPara(prose(6, 3))]
    return _single(story), {"header": UNRULED[0], "rows": UNRULED[1:]}


WRAPPED = [["Study", "Population", "Intervention and comparator"],
           ["Alpha 2020", "Adults with knee osteoarthritis awaiting total knee arthroplasty at two centres",
            "Genicular cryoneurolysis versus sham procedure"],
           ["Beta 2021", "Patients after thoracotomy",
            "Intercostal cryoanalgesia at the end of surgery versus thoracic epidural analgesia for three days"],
           ["Gamma Delta-Epsilon Collaborative Group 2022", "Stroke survivors with ankle spasticity",
            "Tibial nerve cryoneurolysis"]]


def wrapped_cells_pdf(ruled: bool = True) -> tuple[bytes, dict]:
    head = CELL_HEAD
    data = [[Paragraph(c, head) for c in WRAPPED[0]]] + [[Paragraph(c, CELL) for c in r] for r in WRAPPED[1:]]
    t = Table(data, colWidths=[90, 150, 160], hAlign="LEFT")
    if ruled:
        t.setStyle(_ruled_style())
    else:
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 4),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 4), ("LEFTPADDING", (0, 0), (-1, -1), 8),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 8)]))
    story = [Paragraph("Methods", H1), HyphenPara(prose(7, 2)), Paragraph("Table 1. Included trials", CAPTION), t,
             Paragraph("All trials were single centre.", LEGEND)]
    return _single(story), {"header": WRAPPED[0], "rows": WRAPPED[1:]}


# ------------------------------------------------------------------------------------------
# Review with a long characteristics table

AUTHORS = ["Halvorsen", "Whitfield", "Patel", "Ferreira", "M\u00fcller", "Eklund", "Ibrahim", "Torres",
           "Moreno", "Abbott", "O'Donnell", "Nakamura", "Van der Berg", "Kowalczyk", "Okafor", "Lindqvist",
           "Dubois", "Santos", "Hern\u00e1ndez", "Ahmed", "Novak", "Rossi", "Kim", "Olsen", "Brennan"]
DESIGNS = [("RCT", "rct"), ("OP", "prospective_observational"), ("OR", "retrospective_observational"),
           ("CS", "case_series"), ("CR", "case_report"), ("NRCT", "nonrandomized_trial")]
TARGETS = [("Genicular", ["genicular"]), ("IPBSN", ["saphenous"]), ("Intercostal", ["intercostal"]),
           ("Suprascapular", ["suprascapular"]), ("Lumbar medial branch", ["lumbar_medial_branch"]),
           ("Greater occipital", ["occipital"]), ("Genicular + IPBSN", ["genicular", "saphenous"]),
           ("Sciatic", ["sciatic"]), ("Tibial motor branches", ["tibial"]),
           ("Ilioinguinal and iliohypogastric", ["genitofemoral_ilioinguinal"])]
GUIDANCE = [("US", ["ultrasound"]), ("Fluoro", ["fluoroscopy"]), ("US + NS", ["ultrasound", "nerve_stimulator"]),
            ("US and Fluoro", ["ultrasound", "fluoroscopy"]), ("CT", ["ct"]), ("Surgical", ["surgical"])]
FOLLOW = [("6 mo", 180), ("12 wk", 84), ("2-18 mo", 540), ("6 Months", 180), ("1 yr", 365), ("3 mo", 90),
          ("24 months", 720)]
OUTCOMES = ["NRS {a} to {b} at {m} mo",
            "WOMAC pain improved by {c} points versus sham at day 30; {p}% had 50% or greater relief at the last visit",
            "Opioid consumption {p}% lower than control in the first week; similar pain scores thereafter and no "
            "serious adverse events",
            "MAS -{d} vs -0.4 at {m} mo"]
REVIEW_LEGEND = ("RCT, randomised controlled trial; NRCT, non-randomised controlled trial; OP, observational "
                 "prospective; OR, observational retrospective; CS, case series; CR, case report. US, ultrasound; "
                 "NS, nerve stimulator; Fluoro, fluoroscopy; IPBSN, infrapatellar branch of the saphenous nerve; "
                 "NRS, numeric rating scale; MAS, Modified Ashworth Scale; wk, weeks; mo, months; yr, year.")


def review_rows(n: int = 50) -> list[dict]:
    rnd = random.Random(2024)
    rows = []
    for i in range(1, n + 1):
        author = AUTHORS[(i - 1) % len(AUTHORS)]
        year = 2005 + (i * 7) % 20
        code, design = DESIGNS[rnd.randrange(len(DESIGNS))]
        size = 1 if code == "CR" else rnd.randint(6, 320)
        tcell, tgroups = TARGETS[rnd.randrange(len(TARGETS))]
        gcell, guid = GUIDANCE[rnd.randrange(len(GUIDANCE))]
        fcell, fdays = FOLLOW[rnd.randrange(len(FOLLOW))]
        outcome = OUTCOMES[rnd.randrange(len(OUTCOMES))].format(
            a=rnd.randint(6, 8), b=rnd.randint(2, 4), m=rnd.choice([3, 6, 12]), c=rnd.randint(5, 20),
            p=rnd.randint(30, 80), d=round(rnd.uniform(0.8, 1.9), 1))
        author_cell = f"{author}, {year} [{i}]" if i % 7 else f"{author} et al., {year} [{i}]"
        rows.append({"cells": [author_cell, code, str(size), tcell, gcell, fcell, outcome],
                     "ref": i, "author": author, "year": year, "design": design, "sample_size": size,
                     "target_groups": tgroups, "guidance": guid, "follow_up_days": fdays,
                     "doi": None if i % 5 == 0 else f"10.5555/review.{i:04d}"})
    return rows


def review_pdf(n_rows: int = 50, extra_sections: int = 0) -> tuple[bytes, dict]:
    """Two-column front and back matter; a full-width ruled characteristics table of n_rows rows
    over several pages (header repeated), with a legend of design codes; numbered references.
    extra_sections adds that many two-column discussion sub-sections (for the benchmark)."""
    rows = review_rows(n_rows)
    head = ["Author, Year", "Design", "Patients (n)", "Target(s)", "Guidance", "Follow up", "Outcome"]
    w, h = LETTER
    full = w - 108
    data = [[Paragraph(c, CELL_HEAD) for c in head]] + [[Paragraph(c, CELL) for c in r["cells"]] for r in rows]
    fr = [0.16, 0.08, 0.085, 0.16, 0.10, 0.085, 0.33]
    table = Table(data, colWidths=[f * full for f in fr], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E4E4E4")),
                               ("TOPPADDING", (0, 0), (-1, -1), 2.2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.6)]))
    refs = []
    for r in rows:
        text = (f"{r['author']} A, Sample B, et al. Cryoneurolysis study number {r['ref']} of the "
                f"{' and '.join(r['target_groups'])} nerves. Illus J Pain. {r['year']};{r['ref']}:1-9.")
        if r["doi"]:
            text += f" doi:{r['doi']}"
        refs.append(text)
    refs.append("Gray H, Lindberg A. Physiology of freezing injury to peripheral nerve. Exemplar Exp Neurol. "
                "2015;270:12-19. doi:10.5555/review.extra")
    ref_style = ParagraphStyle("ref", fontName="Times-Roman", fontSize=8.2, leading=9.8, leftIndent=14,
                               firstLineIndent=-14, spaceAfter=2.5)
    story = [NextPageTemplate("twocol"), Paragraph("Cryoneurolysis for pain and spasticity: a review", TITLE),
             Paragraph("Test Author, Other Author", AUTH), Paragraph("1. Introduction", H1),
             HyphenPara(prose(21, 8)), HyphenPara(prose(22, 8)), Paragraph("2. Methods", H1),
             HyphenPara(prose(23, 8)), NextPageTemplate("full"), PageBreak(),
             Paragraph("Table 1. Characteristics of included studies", CAPTION), table,
             Paragraph(REVIEW_LEGEND, LEGEND), NextPageTemplate("twocol"), PageBreak(),
             Paragraph("3. Results", H1), HyphenPara(prose(24, 6)), Paragraph("4. Discussion", H1),
             HyphenPara(prose(25, 6))]
    for k in range(extra_sections):
        story += [Paragraph(f"4.{k + 1} Further considerations {k + 1}", H2)] + \
                 [HyphenPara(prose(100 + 10 * k + j, 7)) for j in range(4)]
    story.append(Paragraph("References", H1))
    story += [Paragraph(f"{k}. {t}", ref_style) for k, t in enumerate(refs, 1)]
    pdf = _build(story, [PageTemplate(id="twocol", frames=_frames(columns=2)),
                         PageTemplate(id="full", frames=_frames())])
    return pdf, {"header": head, "rows": rows, "references": refs}


# ------------------------------------------------------------------------------------------
# Bad PDFs

def encrypted_pdf() -> bytes:
    from reportlab.lib.pdfencrypt import StandardEncryption
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1, encrypt=StandardEncryption("secret", "owner", canPrint=0))
    c.drawString(72, 720, "Confidential")
    c.save()
    return buf.getvalue()


def image_only_pdf() -> bytes:
    from PIL import Image, ImageDraw
    img = Image.new("L", (400, 200), 255)
    d = ImageDraw.Draw(img)
    for y in range(20, 180, 16):
        d.rectangle([20, y, 380, y + 8], fill=0)      # looks like scanned lines of text
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    from reportlab.lib.utils import ImageReader
    c.drawImage(ImageReader(img), 72, 400, width=400, height=200)
    c.showPage()
    c.save()
    return buf.getvalue()


def pages_pdf(n: int, pagesize=LETTER) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=pagesize, invariant=1)
    for i in range(n):
        c.drawString(72, 72, f"Page body {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def unruled_long_table_pdf(n: int = 89) -> tuple[bytes, dict]:
    """An unruled evidence-like table (bold header repeated) over three pages; its last row on a
    page runs into the footer zone."""
    rows = [["Study", "Design", "N", "Follow up"]] + [
        [f"Author{i} {2000 + i % 20} [{i}]", "RCT" if i % 2 else "CS", str(10 + i), f"{i % 12 + 1} mo"]
        for i in range(1, n + 1)]
    t = Table(rows, colWidths=[160, 80, 60, 80], repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "Times-Roman", 9), ("FONT", (0, 0), (-1, 0), "Times-Bold", 9)]))
    story = [Paragraph("Results", H1), HyphenPara(prose(1, 2)), Paragraph("Table 1. Long unruled", CAPTION), t]
    return _single(story), {"header": rows[0], "rows": rows[1:]}
