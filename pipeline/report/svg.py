"""Inline SVG plots for the report, drawn by hand so the page needs no plotting library or CDN.

What: `evidence_map(cells)` draws targets x designs with one bubble per cell of
`marts.studies_by_target_and_design` (area proportional to patients); `follow_up_histogram`
draws how many relevant studies reach each follow-up band.

Why: the report must be one self-contained file an analyst can mail or open offline, and
matplotlib is not a dependency; SVG text stays selectable and each bubble carries a <title>
tooltip and data-* attributes (which tests count).
"""

from __future__ import annotations

import math
from html import escape

# Evidence-hierarchy order of designs, strongest first: the map reads left to right like a
# review's grading.
DESIGN_ORDER = ["systematic_review", "rct", "nonrandomized_trial", "prospective_observational",
                "retrospective_observational", "case_series", "case_report", "narrative_review",
                "protocol", "technical_note", "other", "not reported"]

DESIGN_LABELS = {"systematic_review": "Syst. review", "rct": "RCT",
                 "nonrandomized_trial": "Non-rand. trial", "prospective_observational": "Prospective",
                 "retrospective_observational": "Retrospective", "case_series": "Case series",
                 "case_report": "Case report", "narrative_review": "Narr. review",
                 "protocol": "Protocol", "technical_note": "Tech. note", "other": "Other",
                 "not reported": "Not reported"}

# Follow-up bands in days: the 180-day edge is the 6-month mark reviews use.
FOLLOW_UP_BANDS = [("< 1 month", 0, 30), ("1–3 months", 30, 90), ("3–6 months", 90, 180),
                   ("6–12 months", 180, 365), ("≥ 12 months", 365, None)]

FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\""


def _design_key(design: str) -> tuple[int, str]:
    return (DESIGN_ORDER.index(design) if design in DESIGN_ORDER else len(DESIGN_ORDER), design)


def evidence_map(cells: list[dict], max_radius: float = 22.0, min_radius: float = 4.0) -> str:
    """Targets (rows) x designs (columns); one <circle class="bubble"> per cell.

    `cells` are rows of marts.studies_by_target_and_design (target_group, design, studies,
    patients). Bubble area is proportional to patients, with a floor so that a cell of reviews
    or protocols (no patients enrolled) still shows, drawn hollow.
    """
    if not cells:
        return ('<svg xmlns="http://www.w3.org/2000/svg" class="evidence-map" width="480" height="60" '
                f'role="img" aria-label="Evidence map: no relevant studies yet"><text x="10" y="35" {FONT} '
                'font-size="14" fill="#666">No relevant studies yet.</text></svg>')
    designs = sorted({c["design"] for c in cells}, key=_design_key)
    totals: dict[str, int] = {}
    for c in cells:
        totals[c["target_group"]] = totals.get(c["target_group"], 0) + int(c["studies"])
    targets = sorted(totals, key=lambda t: (t == "not reported", -totals[t], t))
    cell_w, cell_h, left, top, bottom = 2.3 * max_radius + 30, 2 * max_radius + 8, 190, 8, 92
    width = int(left + cell_w * len(designs) + 20)
    height = int(top + cell_h * len(targets) + bottom)
    biggest = max((int(c["patients"] or 0) for c in cells), default=0) or 1
    # The legend lives in the page's <figcaption>, where text wraps; the SVG keeps data-largest.
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="evidence-map" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" data-largest="{biggest}" role="img" '
             f'aria-label="Evidence map: target groups by study design, bubble area = patients">']
    for i, target in enumerate(targets):
        y = top + cell_h * (i + 0.5)
        if i % 2 == 0:
            parts.append(f'<rect x="{left - 180}" y="{y - cell_h / 2:.1f}" width="{width - left + 170}" '
                         f'height="{cell_h:.1f}" fill="#f5f7fa"/>')
        parts.append(f'<text x="{left - 10}" y="{y + 4:.1f}" text-anchor="end" {FONT} font-size="12" '
                     f'fill="#222">{escape(target.replace("_", " "))}</text>')
    for j, design in enumerate(designs):
        x = left + cell_w * (j + 0.5)
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + cell_h * len(targets):.1f}" '
                     'stroke="#dde3ea" stroke-width="1"/>')
        label = escape(DESIGN_LABELS.get(design, design.replace("_", " ")))
        ly = top + cell_h * len(targets) + 12
        parts.append(f'<text x="{x:.1f}" y="{ly:.1f}" transform="rotate(35 {x:.1f} {ly:.1f})" {FONT} '
                     f'font-size="12" fill="#222">{label}</text>')
    for c in sorted(cells, key=lambda c: (targets.index(c["target_group"]), _design_key(c["design"]))):
        patients, studies = int(c["patients"] or 0), int(c["studies"])
        x = left + cell_w * (designs.index(c["design"]) + 0.5)
        y = top + cell_h * (targets.index(c["target_group"]) + 0.5)
        r = max(min_radius, max_radius * math.sqrt(patients / biggest))
        fill = 'fill="#2f6db5" fill-opacity="0.55" stroke="#1d4f8a"' if patients else \
               'fill="#ffffff" stroke="#2f6db5" stroke-dasharray="2 2"'
        tip = (f'{c["target_group"].replace("_", " ")} × {c["design"].replace("_", " ")}: '
               f'{studies} stud{"y" if studies == 1 else "ies"}, {patients} patients')
        parts.append(f'<circle class="bubble" data-target="{escape(c["target_group"])}" '
                     f'data-design="{escape(c["design"])}" data-studies="{studies}" '
                     f'data-patients="{patients}" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {fill} '
                     f'stroke-width="1.2"><title>{escape(tip)}</title></circle>')
        if studies > 1:  # inside a bubble big enough to hold it, else beside it
            inside = r >= 9
            tx, anchor = (x, "middle") if inside else (x + r + 3, "start")
            parts.append(f'<text x="{tx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}" {FONT} font-size="11" '
                         f'font-weight="600" fill="#0b2545">{studies}</text>')
    parts.append("</svg>")
    return "".join(parts)


def follow_up_bands(days: list[int | None]) -> list[tuple[str, int]]:
    """How many studies fall in each follow-up band, plus 'not reported'."""
    counts = []
    for label, low, high in FOLLOW_UP_BANDS:
        counts.append((label, sum(1 for d in days if d is not None and d >= low
                                  and (high is None or d < high))))
    counts.append(("not reported", sum(1 for d in days if d is None)))
    return counts


def follow_up_histogram(days: list[int | None]) -> str:
    """Bars of relevant studies per follow-up band; bands from 6 months on are highlighted."""
    bands = follow_up_bands(days)
    left, top, bar_w, gap, plot_h = 40, 20, 78, 14, 180
    width = left + (bar_w + gap) * len(bands) + 10
    height = top + plot_h + 50
    most = max((n for _, n in bands), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="follow-up" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="Follow-up of relevant studies">',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 5}" y2="{top + plot_h}" stroke="#888"/>']
    for i, (label, n) in enumerate(bands):
        x = left + i * (bar_w + gap)
        h = plot_h * n / most
        long = label in ("6–12 months", "≥ 12 months")
        colour = "#2f8f5b" if long else ("#b0b7c0" if label == "not reported" else "#2f6db5")
        parts.append(f'<rect class="bar" data-band="{escape(label)}" data-studies="{n}" x="{x}" '
                     f'y="{top + plot_h - h:.1f}" width="{bar_w}" height="{h:.1f}" fill="{colour}">'
                     f'<title>{escape(label)}: {n} studies</title></rect>')
        parts.append(f'<text x="{x + bar_w / 2}" y="{top + plot_h - h - 5:.1f}" text-anchor="middle" '
                     f'{FONT} font-size="12" fill="#222">{n}</text>')
        parts.append(f'<text x="{x + bar_w / 2}" y="{top + plot_h + 18}" text-anchor="middle" {FONT} '
                     f'font-size="11" fill="#222">{escape(label)}</text>')
    parts.append(f'<text x="{left}" y="{height - 8}" {FONT} font-size="11" fill="#555">Green: at least '
                 '6 months (180 days), the horizon reviews use for a durable effect.</text>')
    parts.append("</svg>")
    return "".join(parts)
