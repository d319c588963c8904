"""Generate the full-text PDFs of the illustrative preprints in this sample corpus.

    .venv/bin/python pipeline/mirror/sample_corpus/make_pdfs.py

Writes `pdfs/PPR90000N.pdf` for each `europepmc/PPR90000N.json`. The title, authors, posting date,
DOI, server and abstract come from the JSON record, so the PDF and the metadata agree; the body
text below is as invented as the records themselves. Everything here is ILLUSTRATIVE: none of
these studies exists.

The PDFs imitate the layouts a full-text extractor meets in real preprints:

* PPR900001 (narrative review, medRxiv): two-column body text, and a ruled table "Table 1.
  Characteristics of included studies" across the top of page 2, with a caption legend that
  defines the design codes, and a numbered reference list with DOIs;
* PPR900002 (randomised trial, Research Square): single column, with an unruled results table
  whose columns are aligned by whitespace only;
* PPR900003 (prospective pilot, medRxiv) and PPR900004 (case series, Research Square): single
  column, with a rules-at-top-and-bottom table and a ruled table respectively.

Image guidance ("under ultrasound guidance") is stated in Methods only, not in the abstracts,
as in many real papers. Every page has a running header naming the preprint server and a
footer with the page number. Only the 14 standard PDF fonts are used (nothing is embedded) and
output is byte-for-byte reproducible (reportlab's invariant mode), so each file stays small.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen import canvas
from reportlab.platypus import (BaseDocTemplate, FrameBreak, Frame, KeepTogether, NextPageTemplate,
                                PageTemplate, Paragraph, Spacer, Table, TableStyle)

HERE = Path(__file__).resolve().parent
NOTICE = "Illustrative preprint invented for the litmine sample corpus; not a real study."

# ------------------------------------------------------------------------------------------
# Styles

BODY = ParagraphStyle("body", fontName="Times-Roman", fontSize=10, leading=12.6, alignment=TA_JUSTIFY,
                      spaceAfter=5)
BODY_2COL = ParagraphStyle("body2", parent=BODY, fontSize=9.2, leading=11.2, spaceAfter=4)
TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=15, leading=18.5, alignment=TA_LEFT,
                       spaceAfter=8)
AUTHORS = ParagraphStyle("authors", fontName="Helvetica", fontSize=10, leading=13, spaceAfter=4)
AFFIL = ParagraphStyle("affil", fontName="Helvetica", fontSize=7.8, leading=9.6, spaceAfter=1,
                       textColor=colors.HexColor("#333333"))
ABSTRACT_HEAD = ParagraphStyle("abshead", fontName="Helvetica-Bold", fontSize=11, leading=14,
                               spaceBefore=8, spaceAfter=3)
ABSTRACT = ParagraphStyle("abstract", parent=BODY, fontName="Times-Roman", fontSize=9.6, leading=12,
                          spaceAfter=3)
KEYWORDS = ParagraphStyle("kw", parent=ABSTRACT, spaceBefore=3, spaceAfter=6)
H1 = ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=11.5, leading=14, spaceBefore=9, spaceAfter=4,
                    keepWithNext=1)
H2 = ParagraphStyle("h2", fontName="Helvetica-BoldOblique", fontSize=9.8, leading=12, spaceBefore=5,
                    spaceAfter=2, keepWithNext=1)
REF = ParagraphStyle("ref", fontName="Times-Roman", fontSize=8.2, leading=9.8, leftIndent=14,
                     firstLineIndent=-14, spaceAfter=2.5, alignment=TA_LEFT)
CAPTION = ParagraphStyle("caption", fontName="Helvetica-Bold", fontSize=8.6, leading=10.5, spaceAfter=4)
LEGEND = ParagraphStyle("legend", fontName="Helvetica", fontSize=7, leading=8.6, spaceBefore=3)
CELL = ParagraphStyle("cell", fontName="Helvetica", fontSize=7.3, leading=8.6)
CELL_HEAD = ParagraphStyle("cellhead", parent=CELL, fontName="Helvetica-Bold")


def esc(text: str) -> str:
    return escape(text)


# ------------------------------------------------------------------------------------------
# Running header and "Page N of M" footer, drawn once the page count is known.

def canvas_class(header: str, pagesize):
    width, height = pagesize

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont("Helvetica", 7.2)
                self.setFillColor(colors.HexColor("#444444"))
                self.drawString(40, height - 28, header)
                self.setStrokeColor(colors.HexColor("#999999"))
                self.setLineWidth(0.4)
                self.line(40, height - 33, width - 40, height - 33)
                self.line(40, 38, width - 40, 38)
                self.drawString(40, 27, NOTICE)
                self.drawRightString(width - 40, 27, f"Page {self._pageNumber} of {total}")
                super().showPage()
            super().save()

    return NumberedCanvas


def header_text(record: dict) -> str:
    posted = date.fromisoformat(record["firstPublicationDate"])
    doi = record["doi"]
    if record["bookOrReportDetails"]["publisher"] == "medRxiv":
        return (f"medRxiv preprint doi: https://doi.org/{doi}; this version posted "
                f"{posted:%B} {posted.day}, {posted.year}. This preprint has not been certified by peer review.")
    return (f"Research Square preprint  |  DOI: https://doi.org/{doi}  |  Posted {posted.day} {posted:%B %Y}"
            f"  |  Not peer reviewed")


# ------------------------------------------------------------------------------------------
# Front matter built from the Europe PMC record

def front_matter(record: dict, affiliations: list[str], author_affil: list[int], email: str,
                 keywords: str) -> list:
    authors = record["authorList"]["author"]
    names = ", ".join(f"{esc(a['firstName'])} {esc(a['lastName'])}<super>{n}</super>"
                      for a, n in zip(authors, author_affil))
    flow = [Paragraph(esc(record["title"]), TITLE), Paragraph(names, AUTHORS)]
    for i, aff in enumerate(affiliations, 1):
        flow.append(Paragraph(f"<super>{i}</super> {esc(aff)}", AFFIL))
    flow.append(Paragraph(f"Correspondence: {esc(email)}", AFFIL))
    flow.append(Paragraph("Abstract", ABSTRACT_HEAD))
    parts = re.split(r"(Background|Methods|Results|Conclusions):\s*", record["abstractText"])
    for label, text in zip(parts[1::2], parts[2::2]):
        flow.append(Paragraph(f"<b>{label}:</b> {esc(text.strip())}", ABSTRACT))
    flow.append(Paragraph(f"<b>Keywords:</b> {esc(keywords)}", KEYWORDS))
    return flow


def body_flowables(sections: list, style) -> list:
    flow = []
    for kind, content in sections:
        if kind == "h1":
            flow.append(Paragraph(esc(content), H1))
        elif kind == "h2":
            flow.append(Paragraph(esc(content), H2))
        elif kind == "p":
            flow.append(Paragraph(esc(content), style))
        elif kind == "refs":
            for n, ref in enumerate(content, 1):
                flow.append(Paragraph(f"{n}. {esc(ref)}", REF))
        elif kind == "flow":
            flow.extend(content)
        else:
            raise ValueError(kind)
    return flow


def load(rid: str) -> dict:
    return json.loads((HERE / "europepmc" / f"{rid}.json").read_text(encoding="utf-8"))


def metadata(record: dict) -> dict:
    return dict(title=record["title"], author=record["authorString"].rstrip("."),
                subject=NOTICE, creator="litmine sample_corpus/make_pdfs.py", invariant=1)


# ------------------------------------------------------------------------------------------
# PPR900001: narrative review, two columns, ruled "characteristics of included studies" table

REVIEW_ROWS = [
    ("Halvorsen, 2023 [1]", "RCT", "169", "IPBSN", "US", "6 mo",
     "WOMAC pain -14.2 vs -7.9 (sham) at day 30; 68.8% vs 40.4% had 30% or greater NRS reduction"),
    ("Whitfield, 2023 [2]", "OP", "18", "Suprascapular", "US", "12 wk",
     "NRS 7.2 to 3.9 at 12 wk; 62.5% had 50% or greater relief"),
    ("Patel, 2023 [3]", "OR", "94", "Lumbar medial branch", "Fluoro", "2-18 mo",
     "NRS 6.9 to 3.8 at 3 mo; 61.7% had 50% or greater relief"),
    ("Ferreira, 2024 [4]", "RCT", "80", "Genicular", "US", "12 wk",
     "Less movement pain at 2 wk (NRS 3.4 vs 4.6); no difference at 12 wk"),
    ("M\u00fcller, 2024 [5]", "NRCT", "46", "Tibial motor branches", "US + NS", "6 mo",
     "MAS -1.3 vs -0.4 (BoNT-A) at 6 mo"),
    ("Eklund, 2019 [6]", "CS", "6", "Intercostal", "US", "3 mo",
     "5 of 6 had more than 50% relief of post-thoracotomy pain"),
    ("Ibrahim, 2020 [7]", "OP", "24", "Genicular + IPBSN", "US", "6 mo", "WOMAC total -21 points at 6 mo"),
    ("Torres, 2021 [8]", "OR", "41", "Greater occipital", "US", "3 mo",
     "NRS 7.0 to 4.1 at 3 mo; headache days halved"),
    ("Moreno, 2022 [9]", "CR", "1", "Sciatic", "US", "6 mo", "Phantom limb pain NRS 8 to 2 at 6 mo"),
    ("Abbott, 2022 [10]", "RCT", "60", "Intercostal", "Surgical", "3 mo",
     "Opioid use 38% lower than control; similar NRS"),
]
REVIEW_LEGEND = (
    "RCT, randomised controlled trial; NRCT, non-randomised controlled trial; OP, observational "
    "prospective; OR, observational retrospective; CS, case series; CR, case report. US, ultrasound; "
    "NS, nerve stimulator; Fluoro, fluoroscopy; IPBSN, infrapatellar branch of the saphenous nerve; "
    "NRS, numeric rating scale (0-10); WOMAC, Western Ontario and McMaster Universities Osteoarthritis "
    "Index; MAS, Modified Ashworth Scale; BoNT-A, botulinum toxin type A; wk, weeks; mo, months.")

REVIEW_BODY = [
    ("h1", "1. Introduction"),
    ("p", "Cryoneurolysis is the application of cold to a peripheral nerve to interrupt its conduction. When a "
          "closed-tip probe cooled by the expansion of compressed gas is placed next to a nerve, an ice ball forms "
          "around the probe, and temperatures below about -20 \u00b0C produce axonotmesis: axons and myelin "
          "degenerate distal to the lesion while the connective tissue framework of the nerve is preserved [11]. "
          "Because the endoneurial tubes survive, axons regenerate along their original path at roughly 1-2 mm "
          "per day, and sensory and motor function return over weeks to months. Cryoneurolysis is therefore "
          "attractive wherever a long but reversible block is wanted."),
    ("p", "Handheld devices with small-gauge probes, together with ultrasound-guided techniques, have made "
          "percutaneous cryoneurolysis practical outside the operating theatre [12]. The technique is now used "
          "for knee and shoulder pain, spinal facet pain, chest-wall pain after surgery or trauma, headache, "
          "pain after amputation and focal spasticity. The literature is, however, spread across "
          "anaesthesiology, physical medicine, interventional radiology and surgery, and study designs vary "
          "widely. We therefore summarise representative clinical studies to describe current practice and to "
          "identify gaps in the evidence."),
    ("h1", "2. Methods"),
    ("p", "We searched MEDLINE and Embase from January 2016 to May 2024 using the terms cryoneurolysis, "
          "cryoanalgesia, cryoablation and cryodenervation combined with nerve, pain and spasticity. Clinical "
          "studies in humans of percutaneous or intraoperative cryoneurolysis of peripheral nerves were "
          "eligible; studies of tumour or cardiac cryoablation, cold therapy with ice or cold packs, and animal "
          "or cadaver studies were excluded. Two authors selected ten studies that illustrate the range of "
          "targets, designs and guidance techniques, and extracted the design, number of patients, targets, "
          "guidance, follow-up and main outcome of each (Table 1). Because the studies were heterogeneous and "
          "were selected rather than systematically identified, we did not pool results or formally assess "
          "risk of bias."),
    ("h1", "3. Results"),
    ("h2", "3.1 Study characteristics"),
    ("p", "The ten studies (Table 1) comprised three randomised controlled trials [1, 4, 10], one non-randomised "
          "controlled trial [5], two prospective observational studies [2, 7], two retrospective observational "
          "studies [3, 8], one case series [6] and one case report [9]. Together they enrolled 539 patients, from "
          "a single patient [9] to 169 patients in a multicentre sham-controlled trial [1]. Eight studies used "
          "ultrasound guidance, one used fluoroscopy [3] and one direct surgical exposure [10]; a nerve "
          "stimulator was added to ultrasound in the spasticity study [5]. Follow-up ranged from 12 weeks to 18 "
          "months."),
    ("h2", "3.2 Knee pain"),
    ("p", "Three studies targeted the sensory nerves of the knee. In the largest trial, cryoneurolysis of the "
          "infrapatellar branch of the saphenous nerve reduced WOMAC pain by 14.2 points, compared with 7.9 "
          "points after a sham procedure, at day 30, although the difference was no longer significant at 6 "
          "months [1]. Cryoneurolysis of the genicular nerves before total knee arthroplasty lowered pain during "
          "movement and opioid consumption in the first weeks after surgery, but not at 12 weeks [4]. A "
          "prospective cohort that treated both the genicular nerves and the infrapatellar branch reported a "
          "21-point improvement in the total WOMAC score at 6 months [7]."),
    ("h2", "3.3 Shoulder and spine"),
    ("p", "In a pilot study of 18 patients with chronic shoulder pain, suprascapular nerve cryoneurolysis reduced "
          "pain from 7.2 to 3.9, and 62.5% of the patients followed up had 50% or greater relief at 12 weeks [2]. "
          "A retrospective cohort of 94 patients treated at the lumbar medial branches reported 50% or greater "
          "relief in 61.7% and a median duration of relief of 7 months [3]."),
    ("h2", "3.4 Chest wall, headache and amputation"),
    ("p", "Intercostal cryoneurolysis was studied after thoracotomy in a randomised trial, in which intraoperative "
          "freezing under direct vision reduced opioid use by 38% [10], and in a case series of six patients with "
          "post-thoracotomy pain syndrome [6]. A retrospective review of 41 patients with occipital neuralgia "
          "reported a fall in pain from 7.0 to 4.1 at 3 months [8], and a case report described durable relief "
          "of phantom limb pain after sciatic nerve cryoneurolysis [9]."),
    ("h2", "3.5 Spasticity"),
    ("p", "In the only controlled study of spasticity, cryoneurolysis of the tibial nerve motor branches reduced "
          "the Modified Ashworth Scale score by 1.3 points at 6 months, compared with 0.4 points after botulinum "
          "toxin injection [5]."),
    ("h2", "3.6 Safety"),
    ("p", "No study reported a serious device-related adverse event. The most frequent events were bruising, "
          "local numbness and transient dysaesthesia; a superficial skin burn at the probe entry site was "
          "described once [3]."),
    ("h1", "4. Discussion"),
    ("p", "The studies summarised here show that cryoneurolysis has moved from a surgical adjunct to an "
          "image-guided outpatient procedure with a broad range of targets. Its main attraction is a block that "
          "lasts weeks to months without the neuroma formation and deafferentation pain that can follow "
          "destructive techniques. Effects in the randomised trials were moderate and tended to wane by 3 to 6 "
          "months, consistent with the time needed for axons to regenerate over a short distance."),
    ("p", "The evidence has important limitations. Only three of the ten studies were randomised, and only one "
          "compared cryoneurolysis with a sham procedure. Most observational studies were small, single-centre "
          "and without a comparison group; follow-up was short and outcome measures varied. Responder "
          "definitions ranged from 30% or greater to 50% or greater pain relief, which complicates comparison "
          "between studies. Technical parameters, such as the number and duration of freeze cycles, the probe "
          "type and how the target was confirmed, were inconsistently reported."),
    ("p", "Future trials should use sham or active comparators, standardised outcomes that include responder "
          "rates and function, and follow-up of at least 12 months, so that the need for and effect of repeat "
          "treatment can be assessed. Comparisons with radiofrequency ablation and with botulinum toxin are "
          "particularly needed. This review has limitations of its own: the studies were chosen to be "
          "illustrative rather than identified systematically, and their risk of bias was not assessed."),
    ("h1", "5. Conclusions"),
    ("p", "Percutaneous cryoneurolysis is a promising and safe option for several chronic pain conditions and for "
          "focal spasticity. Rigorous controlled trials with longer follow-up are required before it can be "
          "recommended widely."),
    ("p", "Funding: none. Competing interests: none declared."),
    ("h1", "References"),
    ("refs", [
        "Halvorsen K, Okafor CN, Lindqvist M, et al. Ultrasound-guided percutaneous cryoneurolysis of the "
        "infrapatellar branch of the saphenous nerve for knee osteoarthritis pain: a multicentre, randomised, "
        "double-blind, sham-controlled trial. Illus J Pain Med. 2023;14(2):101-112. doi:10.5555/litmine.0001",
        "Whitfield H, Tanaka R, Bergstr\u00f6m L. Ultrasound-guided cryoneurolysis of the suprascapular nerve for "
        "chronic shoulder pain: a prospective pilot study. Illus J Pain Med. 2023;14(4):288-295. "
        "doi:10.5555/litmine.0005",
        "Patel D, Reynolds MT, Zhou W, et al. Fluoroscopy-guided cryoneurolysis of the lumbar medial branch "
        "nerves for facet-mediated low back pain: a retrospective cohort study. Sample Spine Interv. "
        "2023;9(6):377-385. doi:10.5555/litmine.0007",
        "Ferreira J, Kowalczyk T, Ahmed R, O'Donnell F. Preoperative ultrasound-guided cryoneurolysis of the "
        "genicular nerves before total knee arthroplasty: a randomized, sham-controlled trial. Ex J Reg Anesth. "
        "2024;49(3):188-196. doi:10.5555/litmine.0003",
        "M\u00fcller J, Varga B, Castillo E, Osei K. Percutaneous cryoneurolysis of the tibial nerve motor "
        "branches versus botulinum toxin injection for post-stroke ankle plantarflexor spasticity: a "
        "nonrandomized controlled trial. Ex J Neurorehabil. 2024;37(5):420-429. doi:10.5555/litmine.0004",
        "Eklund P, Sandberg K. Cryoanalgesia of the intercostal nerves for post-thoracotomy pain syndrome: six "
        "cases. Illus Case Rep Anesth. 2019;6:e00211.",
        "Ibrahim S, Clarke R, Yilmaz E. Cryoneurolysis of the genicular nerves and the infrapatellar branch of "
        "the saphenous nerve for knee osteoarthritis: a prospective cohort. Example Knee J. 2020;12:44-51. "
        "doi:10.5555/litmine.ref0007",
        "Torres M, Whelan D. Occipital nerve cryoneurolysis for refractory occipital neuralgia: a retrospective "
        "study. Hypoth Headache Rep. 2021;25:310-316.",
        "Moreno A, Silva J. Sciatic nerve cryoneurolysis for phantom limb pain: a case report. Illus Case Rep "
        "Anesth. 2022;9:e01102. doi:10.5555/litmine.ref0009",
        "Abbott L, Kerr N, Dunmore P, et al. Intraoperative intercostal cryoanalgesia after thoracotomy: a "
        "randomised trial. Hypoth Thorac Surg Lett. 2022;17:201-209. doi:10.5555/litmine.ref0010",
        "Gray H, Lindberg A. Physiology of freezing injury to peripheral nerve. Exemplar Exp Neurol. "
        "2015;270:12-19. doi:10.5555/litmine.ref0011",
        "Okafor CN, Brandt U. Devices and image guidance for percutaneous cryoneurolysis. Sample Rev Pain. "
        "2021;12:55-67.",
    ]),
]


def review_table(width: float) -> Table:
    head = ["Author, Year", "Design", "Patients (n)", "Target(s)", "Guidance", "Follow up", "Outcome"]
    data = [[Paragraph(h, CELL_HEAD) for h in head]]
    data += [[Paragraph(esc(c), CELL) for c in row] for row in REVIEW_ROWS]
    fractions = [0.150, 0.075, 0.085, 0.155, 0.090, 0.085, 0.360]
    table = Table(data, colWidths=[f * width for f in fractions], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E4E4E4")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.6),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def make_review(rid: str = "PPR900001") -> Path:
    record = load(rid)
    pagesize = LETTER
    width, height = pagesize
    left, right, top, bottom, gap = 54, 54, 50, 52, 18
    full = width - left - right
    col = (full - gap) / 2
    usable_top = height - top

    front = front_matter(
        record,
        ["Department of Pain Medicine, Kingsbridge University Hospital, Kingsbridge, United Kingdom",
         "School of Medicine, Ashdown University, Ashdown, United Kingdom"],
        [1, 1, 2, 1], "a.okonkwo@example.org",
        "cryoneurolysis; cryoanalgesia; peripheral nerve; chronic pain; spasticity; review")
    front_h = 0.0
    for f in front:
        _, h = f.wrap(full, height)
        front_h += h + f.getSpaceBefore() + f.getSpaceAfter()
    front_h += 8

    caption = Paragraph("Table 1. Characteristics of included studies", CAPTION)
    table = review_table(full)
    legend = Paragraph(esc(REVIEW_LEGEND), LEGEND)
    cap_h = caption.wrap(full, height)[1] + CAPTION.spaceAfter
    tab_h = table.wrap(full, height)[1]
    leg_h = legend.wrap(full, height)[1] + LEGEND.spaceBefore
    block_h = cap_h + tab_h + leg_h + 14

    def columns(top_y: float, prefix: str) -> list[Frame]:
        h = top_y - bottom
        return [Frame(left, bottom, col, h, id=f"{prefix}L", leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0),
                Frame(left + col + gap, bottom, col, h, id=f"{prefix}R", leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0)]

    def draw_table(canv, doc):
        y = usable_top
        caption.drawOn(canv, left, y - caption.height)
        y -= cap_h
        table.drawOn(canv, left, y - tab_h)
        y -= tab_h + LEGEND.spaceBefore
        legend.drawOn(canv, left, y - legend.height)

    first = PageTemplate(
        id="first",
        frames=[Frame(left, usable_top - front_h, full, front_h, id="front", leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0)] + columns(usable_top - front_h - 6, "p1"))
    with_table = PageTemplate(id="table", onPage=draw_table,
                              frames=columns(usable_top - block_h, "p2"))
    twocol = PageTemplate(id="twocol", frames=columns(usable_top, "pn"))

    out = HERE / "pdfs" / f"{rid}.pdf"
    doc = BaseDocTemplate(str(out), pagesize=pagesize, pageTemplates=[first, with_table, twocol],
                          leftMargin=left, rightMargin=right, topMargin=top, bottomMargin=bottom,
                          **metadata(record))
    # Page 1 "first", page 2 "table", then "twocol". (PageTemplate.autoNextPageTemplate would repeat
    # the table page once in reportlab 4-5, so the sequence is set up front as a cycle.)
    story = [NextPageTemplate(["table", "*", "twocol"])] + front + [FrameBreak()]
    story += body_flowables(REVIEW_BODY, BODY_2COL)
    doc.build(story, canvasmaker=canvas_class(header_text(record), pagesize))
    return out


# ------------------------------------------------------------------------------------------
# Single-column preprints

def single_column(rid: str, pagesize, affiliations, author_affil, email, keywords, sections) -> Path:
    record = load(rid)
    width, height = pagesize
    left, right, top, bottom = 62, 62, 50, 52
    frame = Frame(left, bottom, width - left - right, height - top - bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    out = HERE / "pdfs" / f"{rid}.pdf"
    doc = BaseDocTemplate(str(out), pagesize=pagesize, pageTemplates=[PageTemplate(id="page", frames=[frame])],
                          leftMargin=left, rightMargin=right, topMargin=top, bottomMargin=bottom,
                          **metadata(record))
    story = front_matter(record, affiliations, author_affil, email, keywords)
    story += body_flowables(sections, BODY)
    doc.build(story, canvasmaker=canvas_class(header_text(record), pagesize))
    return out


def unruled_table(rows: list[list[str]], widths: list[float], caption: str, note: str) -> list:
    """A results table aligned by whitespace only: no rules, no shading."""
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "Times-Roman", 9),
        ("FONT", (0, 0), (-1, 0), "Times-Bold", 9),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("ALIGN", (0, 0), (0, -1), "LEFT"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 5),
    ]))
    return [KeepTogether([Paragraph(esc(caption), CAPTION), table, Paragraph(esc(note), LEGEND)]),
            Spacer(1, 8)]


RCT_TABLE = [
    ["Outcome", "Cryoneurolysis (n = 36)", "RFA (n = 36)", "Difference (95% CI)", "p"],
    ["Baseline NRS, mean (SD)", "6.8 (1.2)", "6.9 (1.1)", "", ""],
    ["NRS change at 1 month, mean (SD)", "-3.6 (2.0)", "-3.4 (2.2)", "-0.2 (-1.2 to 0.8)", "0.69"],
    ["NRS change at 3 months, mean (SD)*", "-3.2 (1.5)", "-3.0 (1.6)", "-0.2 (-0.9 to 0.5)", "0.60"],
    ["NRS change at 6 months, mean (SD)", "-2.6 (1.9)", "-2.5 (2.0)", "-0.1 (-1.0 to 0.8)", "0.83"],
    ["50% or greater relief at 6 months, n (%)", "19 (52.8)", "17 (47.2)", "5.6 (-17.5 to 28.6)", "0.64"],
    ["ODI change at 3 months, mean (SD)", "-11.4 (9.8)", "-10.1 (10.5)", "-1.3 (-6.1 to 3.5)", "0.60"],
    ["Procedural pain NRS, mean (SD)", "2.1 (1.4)", "4.4 (2.0)", "-2.3 (-3.1 to -1.5)", "<0.001"],
]

RCT_BODY = [
    ("h1", "Introduction"),
    ("p", "The sacroiliac joint is the source of pain in an estimated 15-25% of patients with chronic low back "
          "pain [1]. Its posterior aspect is innervated by the L5 dorsal ramus and the lateral branches of the S1-S3 "
          "dorsal rami, and radiofrequency ablation (RFA) of these nerves provides relief for 6-12 months in about "
          "half of carefully selected patients [2, 3]. Conventional RFA requires several heat lesions at each "
          "sacral level, is often painful during the procedure and may be followed by weeks of neuritis."),
    ("p", "Cryoneurolysis interrupts nerve conduction by freezing rather than heating and is thought to cause less "
          "procedural pain and less post-procedural neuritis because the perineurium and epineurium are spared "
          "[4]. Comparative data for sacroiliac joint pain are lacking. We therefore tested whether cryoneurolysis "
          "of the sacral lateral branches is non-inferior to conventional RFA."),
    ("h1", "Methods"),
    ("h2", "Design and participants"),
    ("p", "This was a single-centre, parallel-group, assessor-blinded, randomised non-inferiority trial conducted "
          "at the Interventional Pain Unit of Cedar Valley University Hospital between February 2022 and November "
          "2023. The protocol was approved by the institutional ethics committee and registered before enrolment "
          "(Illustrative Trials Registry ITR-2021-0088); all participants gave written informed consent. Adults "
          "aged 18-80 years with sacroiliac joint pain for more than 6 months, average pain of 4 or more on a 0-10 "
          "numeric rating scale (NRS), and at least 50% relief after each of two lateral branch blocks with "
          "different local anaesthetics were eligible. Patients with previous sacroiliac denervation or fusion, "
          "radicular pain, coagulopathy or pregnancy were excluded."),
    ("h2", "Randomisation and blinding"),
    ("p", "Participants were randomised 1:1 with a computer-generated sequence in blocks of four, concealed in "
          "opaque sealed envelopes opened after the patient was positioned. Outcome assessors and the statistician "
          "were unaware of group allocation; patients and physicians were not blinded."),
    ("h2", "Interventions"),
    ("p", "All procedures were performed under fluoroscopic guidance with the patient prone. Probe positions were "
          "confirmed in anteroposterior and oblique views before each lesion. In the cryoneurolysis group, a "
          "2.0-mm closed-tip cryoprobe was placed at the L5 dorsal ramus and at three points along the lateral "
          "border of each of the S1, S2 and S3 posterior foramina, and two 2.5-minute freeze cycles separated by a "
          "passive thaw were applied at each point. In the RFA group, an 18-gauge cannula with a 10-mm active tip "
          "was placed at the same points and lesions were made at 80 \u00b0C for 90 seconds."),
    ("h2", "Outcomes"),
    ("p", "The primary outcome was the change in average pain over the previous week on the NRS from baseline to 3 "
          "months. Secondary outcomes were the change in NRS at 1 and 6 months, the proportion of patients with 50% "
          "or greater pain relief at 6 months, the change in the Oswestry Disability Index (ODI), procedural pain "
          "rated immediately after the procedure, and adverse events."),
    ("h2", "Sample size and statistical analysis"),
    ("p", "Assuming a standard deviation of 1.5 points and no true difference between treatments, 36 patients per "
          "group gave 80% power to show non-inferiority with a margin of 1.0 point at a one-sided alpha of 0.025. "
          "Continuous outcomes were compared with linear regression adjusted for baseline; responders were "
          "analysed over all randomised patients, with missing data counted as non-response."),
    ("h1", "Results"),
    ("p", "Of 118 patients screened, 72 were randomised (36 per group) and received the allocated treatment; two "
          "patients in each group were lost to follow-up before the 3-month visit. The groups were similar at "
          "baseline (mean age 58 years; 46 women; mean symptom duration 3.4 years). Outcomes are shown in Table 1."),
    ("flow", unruled_table(
        RCT_TABLE, [168, 92, 68, 92, 40],
        "Table 1. Outcomes by treatment group",
        "NRS, numeric rating scale (0-10); ODI, Oswestry Disability Index; RFA, radiofrequency ablation. "
        "Changes are from baseline in patients with follow-up data (n = 34 per group); responders are counted "
        "over all randomised patients. *Primary outcome; the upper confidence limit lies below the "
        "non-inferiority margin of 1.0 point.")),
    ("p", "At 3 months, mean NRS pain had decreased by 3.2 points after cryoneurolysis and by 3.0 points after RFA "
          "(difference -0.2, 95% CI -0.9 to 0.5), so cryoneurolysis met the non-inferiority criterion. Results at 1 "
          "and 6 months and for disability were similar between groups. Procedural pain was markedly lower with "
          "cryoneurolysis. No serious adverse events occurred. Transient buttock numbness was reported by five "
          "patients after cryoneurolysis and three after RFA, and post-procedural neuritis requiring medication by "
          "one and four patients respectively; all events resolved within 6 weeks."),
    ("h1", "Discussion"),
    ("p", "In this randomised trial, cryoneurolysis of the sacral lateral branches was non-inferior to conventional "
          "RFA for pain relief at 3 months and was substantially less painful to perform. The proportion of "
          "responders at 6 months was similar in both groups and comparable with that reported in earlier RFA "
          "studies [2, 3]. Lower procedural pain may make cryoneurolysis preferable for patients who do not tolerate "
          "heat lesions, and for repeat treatment."),
    ("p", "The trial has limitations. It was conducted at a single centre, patients were not blinded, and follow-up "
          "was limited to 6 months, so the durability of relief beyond that point remains unknown. The "
          "non-inferiority margin of 1.0 point, although commonly used, is close to the minimal clinically "
          "important difference for the NRS."),
    ("h1", "Conclusions"),
    ("p", "Cryoneurolysis was non-inferior to conventional radiofrequency ablation for sacroiliac joint pain at 3 "
          "months and was better tolerated during the procedure. Multicentre trials with longer follow-up are "
          "warranted."),
    ("h1", "References"),
    ("refs", [
        "Lang E, Tran V. Prevalence of sacroiliac joint pain in chronic low back pain: a cohort study. Sample Spine "
        "Interv. 2018;4:101-108. doi:10.5555/litmine.ref1001",
        "Mendes P, Hart C. Lateral branch radiofrequency ablation for sacroiliac joint pain: a randomised trial. "
        "Ex J Reg Anesth. 2019;44:512-519.",
        "Kowal R, Ibsen T, Marsh D. Long-term outcomes of sacroiliac joint denervation. Illus J Pain Med. "
        "2021;12:77-85. doi:10.5555/litmine.ref1003",
        "Delacroix S, Whitaker J. Mechanisms of cryoneurolysis. Sample Rev Pain. 2020;11:19-30.",
    ]),
]

PILOT_TABLE = [
    ["Assessment", "n", "MAS, mean (SD)", "Passive extension deficit, degrees (SD)"],
    ["Baseline", "12", "2.9 (0.5)", "48 (14)"],
    ["1 week", "12", "1.6 (0.7)", "30 (12)"],
    ["1 month", "12", "1.5 (0.8)", "25 (11)"],
    ["3 months", "11", "1.7 (0.8)", "27 (12)"],
]



def pilot_table() -> list:
    """Rules above and below the header and at the foot only (the common journal style)."""
    table = Table(PILOT_TABLE, colWidths=[100, 40, 110, 200], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "Times-Roman", 9),
        ("FONT", (0, 0), (-1, 0), "Times-Bold", 9),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 0), (-1, 0), 0.4, colors.black),
        ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.black),
        ("ALIGN", (1, 0), (-1, -1), "CENTER"),
    ]))
    return [KeepTogether([
        Paragraph("Table 1. Spasticity and range of motion after musculocutaneous nerve cryoneurolysis", CAPTION),
        table,
        Paragraph("MAS, Modified Ashworth Scale (0-4, with 1+ scored as 1.5).", LEGEND)]), Spacer(1, 8)]


PILOT_BODY = [
    ("h1", "Introduction"),
    ("p", "Elbow flexor spasticity is common after stroke and traumatic brain injury and contributes to pain, "
          "skin breakdown in the elbow crease and difficulty with dressing and hygiene [1]. Botulinum toxin "
          "injections into biceps and brachialis reduce tone, but their effect lasts about 3 months and injections "
          "must be repeated. Chemical neurolysis with phenol lasts longer but is painful and may cause dysaesthesia."),
    ("p", "Cryoneurolysis of a mixed nerve causes axonotmesis with preserved connective tissue, so the nerve "
          "regenerates over months [2]. Case reports suggest that freezing the musculocutaneous nerve reduces "
          "elbow flexor tone [3]. We conducted a pilot study to assess the feasibility, safety and effect of this "
          "procedure before a randomised trial."),
    ("h1", "Methods"),
    ("h2", "Design and participants"),
    ("p", "This prospective, single-arm, open-label pilot study was conducted at a regional neurorehabilitation "
          "centre. Adults with elbow flexor spasticity (Modified Ashworth Scale [MAS] 2 or more) at least 6 months "
          "after stroke or traumatic brain injury were eligible if a diagnostic musculocutaneous nerve block with "
          "lidocaine reduced the MAS by at least one point. The study was approved by the regional ethics "
          "committee and all participants gave consent."),
    ("h2", "Procedure"),
    ("p", "The musculocutaneous nerve was identified under ultrasound guidance in the upper arm, between the "
          "biceps and coracobrachialis muscles, and its position was confirmed with a nerve stimulator (elbow "
          "flexion at 0.5 mA or less). After local anaesthesia of the skin, a 2.0-mm closed-tip cryoprobe was "
          "advanced in-plane to the nerve and three 2-minute freeze cycles were applied, each followed by a "
          "passive thaw. Participants continued their usual therapy programme."),
    ("h2", "Outcomes and analysis"),
    ("p", "The MAS and passive elbow extension were measured at baseline and at 1 week, 1 month and 3 months by a "
          "physiotherapist. Goal attainment was rated on the Disability Assessment Scale, and adverse events were "
          "recorded at each visit. Changes from baseline were tested with paired t-tests."),
    ("h1", "Results"),
    ("p", "Twelve participants (8 men; median age 54 years; 9 after stroke and 3 after traumatic brain injury) were "
          "enrolled between March and October 2024, and 11 completed the 3-month assessment; one withdrew after "
          "moving to another region. Results are summarised in Table 1."),
    ("flow", pilot_table()),
    ("p", "The MAS decreased by a mean of 1.4 points at 1 month and 1.2 points at 3 months (both p<0.01). Passive "
          "elbow extension improved by a mean of 21 degrees at 3 months, and 8 of 11 participants (72.7%) achieved "
          "their primary goal on the Disability Assessment Scale, most often easier dressing or hand hygiene. "
          "Three participants (25%) reported transient dysaesthesia over the lateral forearm, which resolved "
          "within 6 weeks; there were no serious adverse events and no loss of active elbow flexion that "
          "affected function."),
    ("h1", "Discussion"),
    ("p", "In this small pilot study, musculocutaneous nerve cryoneurolysis was feasible and well tolerated, and "
          "tone reduction persisted for at least 3 months, the usual duration of a botulinum toxin injection. "
          "Sensory disturbance in the territory of the lateral antebrachial cutaneous nerve was the main adverse "
          "effect and was self-limiting."),
    ("p", "The study was uncontrolled, open-label and small, and assessors were aware of the treatment. A "
          "randomised comparison with botulinum toxin, with blinded assessment and 6-month follow-up, is planned."),
    ("h1", "References"),
    ("refs", [
        "Harlow J, Benn S. Upper limb spasticity after acquired brain injury. Ex J Neurorehabil. 2019;32:10-18.",
        "Delacroix S, Whitaker J. Mechanisms of cryoneurolysis. Sample Rev Pain. 2020;11:19-30.",
        "Pike R, Osman F. Musculocutaneous nerve cryoneurolysis for elbow flexor spasticity: a case report. "
        "Illus Case Rep Anesth. 2022;9:e01077. doi:10.5555/litmine.ref2003",
    ]),
]

CASES = [
    ["Patient", "Age, sex", "Pain duration (months)", "Baseline NRS", "NRS at last visit",
     "Follow-up (months)", "Outcome"],
    ["1", "34, M", "14", "7", "2", "9", "Responder; stopped pregabalin"],
    ["2", "58, M", "26", "6", "2", "6", "Responder"],
    ["3", "71, M", "40", "8", "7", "4", "No benefit; triple neurectomy"],
    ["4", "29, F", "8", "7", "3", "3", "Responder; stopped pregabalin"],
    ["5", "45, M", "18", "6", "2", "6", "Responder"],
    ["6", "63, M", "22", "7", "4", "5", "Partial relief (43%)"],
]



def cases_table() -> list:
    """A fully ruled table, header cells wrapped."""
    head = ParagraphStyle("caseshead", parent=CELL_HEAD, fontName="Times-Bold", fontSize=8.2, leading=9.4,
                          alignment=TA_CENTER)
    rows = [[Paragraph(h, head) for h in CASES[0]]] + CASES[1:]
    table = Table(rows, colWidths=[40, 50, 62, 52, 58, 60, 150], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "Times-Roman", 8.6),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 1), (-2, -1), "CENTER"),
    ]))
    return [KeepTogether([
        Paragraph("Table 1. Patient characteristics and outcomes", CAPTION),
        table,
        Paragraph("NRS, numeric rating scale (0-10). Responder: 50% or greater reduction in NRS at last visit.",
                  LEGEND)]), Spacer(1, 8)]


CASES_BODY = [
    ("h1", "Introduction"),
    ("p", "Chronic pain lasting more than 3 months after inguinal hernia repair affects 5-10% of patients and "
          "is often neuropathic, caused by entrapment or injury of the ilioinguinal, iliohypogastric or "
          "genitofemoral nerve [1]. When medication and nerve blocks fail, triple neurectomy is usually "
          "recommended, but it requires another operation and may cause permanent numbness [2]. Cryoneurolysis "
          "offers a percutaneous, reversible alternative. We describe our experience in six patients."),
    ("h1", "Methods"),
    ("p", "We reviewed all patients treated with cryoneurolysis for chronic postherniorrhaphy inguinal pain at our "
          "hospital between 2023 and 2025. All had neuropathic groin pain for more than 6 months after open mesh "
          "repair, no recurrence on examination and imaging, and at least 50% relief for the duration of a "
          "diagnostic ilioinguinal and iliohypogastric nerve block."),
    ("p", "Procedures were performed under ultrasound guidance. A high-frequency linear transducer was placed "
          "medial to the anterior superior iliac spine, where the ilioinguinal and iliohypogastric nerves lie in "
          "the plane between the internal oblique and transversus abdominis muscles. After skin infiltration with "
          "lidocaine, a closed-tip cryoprobe was advanced in-plane to the nerves and three 2-minute freeze cycles "
          "were applied. Pain on a 0-10 numeric rating scale (NRS), analgesic use and satisfaction were recorded at "
          "each clinic visit. Patients gave written consent for publication."),
    ("h1", "Results"),
    ("p", "The six patients (five men and one woman, aged 29-71 years) had had pain for 8 to 40 months. Their "
          "characteristics and outcomes are listed in Table 1."),
    ("flow", cases_table()),
    ("p", "Patient 1, a 34-year-old man, had burning pain radiating to the scrotum after a Lichtenstein repair. "
          "His pain fell from 7 to 2 and he stopped pregabalin. Patient 2, a 58-year-old man, reported relief of "
          "pain on walking within a week of treatment. Patient 3, a 71-year-old man with pain for more than three "
          "years, had only brief relief and later underwent triple neurectomy. Patient 4, a 29-year-old woman, "
          "returned to running and stopped pregabalin. Patient 5, a 45-year-old manual worker, returned to work, "
          "and Patient 6, a 63-year-old man, had partial relief."),
    ("p", "Follow-up ranged from 3 to 9 months. Four of the six patients (66.7%) reported at least 50% pain relief "
          "at last follow-up, and mean NRS pain decreased from 6.8 to 3.3. Transient numbness of the groin skin "
          "occurred in three patients; there were no infections, haematomas or motor deficits."),
    ("h1", "Discussion"),
    ("p", "In this case series, cryoneurolysis of the ilioinguinal and iliohypogastric nerves relieved chronic "
          "postherniorrhaphy pain in four of six patients and spared them a further operation. The patient who did "
          "not respond had the longest symptom duration, which may indicate central sensitisation or involvement "
          "of the genital branch of the genitofemoral nerve, which was not treated."),
    ("p", "A case series cannot establish efficacy: patients were selected, follow-up was short and there was no "
          "control group. A randomised comparison with neurectomy would be needed to define the place of "
          "cryoneurolysis in treatment."),
    ("h1", "References"),
    ("refs", [
        "Norberg K, Alves F. Chronic pain after inguinal hernia repair: incidence and risk factors. Illus Surg "
        "Rev. 2017;8:201-210. doi:10.5555/litmine.ref3001",
        "Quinn B, Harada T. Triple neurectomy for chronic postherniorrhaphy inguinal pain. Illus Surg Rev. "
        "2019;10:33-41.",
    ]),
]


def main() -> None:
    (HERE / "pdfs").mkdir(exist_ok=True)
    outputs = [
        make_review("PPR900001"),
        single_column("PPR900002", A4,
                      ["Interventional Pain Unit, Cedar Valley University Hospital, Cedar Valley, USA",
                       "Department of Biostatistics, Cedar Valley University, Cedar Valley, USA"],
                      [1, 1, 2, 1, 1], "s.ramirez@example.org",
                      "sacroiliac joint; cryoneurolysis; radiofrequency ablation; randomised trial; non-inferiority",
                      RCT_BODY),
        single_column("PPR900003", LETTER,
                      ["Department of Rehabilitation Medicine, Elmstead Neurorehabilitation Centre, Elmstead, "
                       "United Kingdom",
                       "Department of Physical Medicine, Fjellby University Hospital, Fjellby, Norway"],
                      [1, 1, 2], "m.hughes@example.org",
                      "spasticity; cryoneurolysis; musculocutaneous nerve; stroke; brain injury",
                      PILOT_BODY),
        single_column("PPR900004", A4,
                      ["Department of General Surgery and Pain Service, Harbourside Hospital, Harbourside, Ireland"],
                      [1, 1, 1, 1], "a.banerjee@example.org",
                      "inguinal hernia; chronic postoperative pain; cryoneurolysis; ilioinguinal nerve; case series",
                      CASES_BODY),
    ]
    for path in outputs:
        print(f"wrote {path.relative_to(HERE)} ({path.stat().st_size / 1024:.1f} KB)")


if __name__ == "__main__":
    main()
