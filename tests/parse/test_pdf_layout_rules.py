"""The layout rules the review PDF needed, each on a page built word by word: margin digits that
do not count up are table data, a header rule drawn one piece per column gives the columns, the
within-cell leading ignores one odd step and superscripts, a "(continued)" caption carries the
table's columns onto the next page, a figure's labels do not hide a text gutter, legends with
lower-case long forms and footnote marks, and back-matter headings set only in another face."""

from __future__ import annotations

from pipeline.parse.evidence_table import parse_legend
from pipeline.parse.pdf_columns import rule_joints
from pipeline.parse.pdf_continued import continued_part, join_continued
from pipeline.parse.pdf_layout import drop_line_numbers, group_lines, page_lines
from pipeline.parse.pdf_sections import split_sections
from pipeline.parse.pdf_captions import note_text
from pipeline.parse.pdf_tables import RawTable, baseline, leading, unruled_tables
from pipeline.parse.pdf_text import Dehyphenator


def word(text, x0, top, size=9.0, font="Body", width=None):
    w = width if width is not None else 0.5 * size * len(text)
    return {"text": text, "x0": x0, "x1": x0 + w, "top": top, "bottom": top + size, "size": size,
            "fontname": font}


def words_of(text, x0, top, **kw):
    out, x = [], x0
    for t in text.split():
        w = word(t, x, top, **kw)
        out.append(w)
        x = w["x1"] + 0.25 * w["size"]
    return out


def prose(top, n, x0=60):
    return [w for i in range(n) for w in words_of("the cohort was followed for two years by phone", x0, top + 12 * i)]


def test_margin_digits_that_do_not_count_up_are_kept():
    body = prose(100, 12)
    line_numbers = [word(str(k), 20, 100 + 12 * k, width=8) for k in range(1, 13)]
    scores = [word(s, 540, 100 + 12 * k, width=5) for k, s in enumerate("887773754777")]
    kept = drop_line_numbers(body + line_numbers + scores)
    texts = [w["text"] for w in kept if w["x0"] < 40 or w["x0"] > 500]
    assert texts == list("887773754777")


def test_header_rule_in_pieces_gives_the_columns():
    def h(x0, x1, y):
        return {"orientation": "h", "x0": x0, "x1": x1, "top": y, "bottom": y}
    pieces = [h(57, 105, 139), h(105, 126, 139), h(126, 171, 139), h(171, 539, 139)]
    edges = pieces + pieces + [h(57, 539, 99)]          # each rect gives two edges; one whole rule
    assert rule_joints(edges, 57, 539, 100, 700) == [105, 126, 171]
    assert rule_joints([h(57, 539, 99), h(57, 300, 139)], 57, 539, 90, 700) == []
    # pieces that do not reach across the table are not its header rule
    assert rule_joints([h(57, 80, 139), h(80, 100, 139), h(100, 120, 139)], 57, 539, 100, 700) == []


def tight_table(top=100.0):
    """Columns 8 pt apart (under the gap threshold) over a header rule drawn per column."""
    ws, y = [], top
    ws += [word("Author", 60, y), word("Year", 120, y), word("Design", 160, y), word("n", 230, y)]
    rows = [("Dash", "2014", "retrospective", "3668"), ("Kono", "1998", "prospective", "5193"),
            ("Vu", "2014", "retrospective", "250"), ("Eddi", "2012", "retrospective", "783")]
    y += 16
    for a, yr, d, n in rows:
        ws += [word(a, 60, y), word(yr, 120, y), word(d, 160, y), word(n, 230, y)]
        ws += [word("[1]", 60, y + 9)]          # a wrapped first cell: the row's second line
        y += 24
    edges = [{"orientation": "h", "x0": a, "x1": b, "top": top + 12, "bottom": top + 12}
             for a, b in ((58, 118), (118, 158), (158, 228), (228, 260))]
    return ws, edges


def test_tight_unruled_table_reads_by_the_rule_joints():
    ws, edges = tight_table()
    lines = group_lines(ws, 0)
    tables, _ = unruled_tables(lines, 0, edges)
    assert len(tables) == 1
    rows = [[" ".join(c) for c in r] for r in tables[0].rows]
    assert rows[0] == ["Author", "Year", "Design", "n"]
    assert rows[1:] == [["Dash [1]", "2014", "retrospective", "3668"], ["Kono [1]", "1998", "prospective", "5193"],
                        ["Vu [1]", "2014", "retrospective", "250"], ["Eddi [1]", "2012", "retrospective", "783"]]


def test_leading_is_the_smallest_recurring_pitch_from_baselines():
    assert leading([9.0, 9.1, 4.9, 14.0, 9.0, 14.1]) == 9.0
    assert leading([12.0, 10.0]) == 10.0
    # a superscript raises the line's top, not its baseline
    mark = dict(word("a", 546, 97.5, size=5.0), bottom=105.0)
    ln, = group_lines([word("Bouwens", 60, 100), word("5", 540, 100), mark], 0)
    assert ln.top == 97.5 and baseline(ln) == 109


def continued_page(caption="Table 1 Characteristics of studies (Continued)"):
    ws = words_of(caption, 60, 80, size=9.0)
    ws += words_of("and daily fiber intake", 230, 100, size=8.0)                 # rest of the cut row
    ws += [word("Misciagna", 60, 115, size=8.0), word("2004", 120, 115, size=8.0),
           word("retrospective", 160, 115, size=8.0), word("NA", 235, 115, size=8.0)]
    ws += words_of("NA not available", 60, 135, size=7.0)                        # the legend
    return group_lines(ws, 1)


def first_part():
    rows = [[["Author"], ["Year"], ["Design"], ["Adjusted variable"]],
            [["Wang"], ["2013"], ["retrospective"], ["abdominal circumference,"]]]
    return RawTable(0, (58, 100, 330, 700), rows, 1, [115, 155, 225], "unruled", size=8.0)


def test_continued_caption_carries_the_columns_onto_the_next_page():
    prev = first_part()
    part, used = continued_part(continued_page(), 1, prev)
    assert part is not None and part.open_top and part.header_rows == 0
    assert [[" ".join(c) for c in r] for r in part.rows] == [
        ["", "", "", "and daily fiber intake"], ["Misciagna", "2004", "retrospective", "NA"]]
    assert len(used) == 2                      # neither the caption nor the smaller legend
    joined, = join_continued([prev, part])
    assert joined.continued_pages == [1]
    assert [" ".join(c) for c in joined.rows[1]] == ["Wang", "2013", "retrospective",
                                                     "abdominal circumference, and daily fiber intake"]
    assert joined.rows[2][0] == ["Misciagna"]
    # no "continued" caption, or a table on another page: nothing is taken
    assert continued_part(continued_page("Table 2 Outcomes"), 1, prev) == (None, set())
    assert continued_part(continued_page(), 3, prev) == (None, set())


def test_figure_labels_do_not_hide_the_text_gutter():
    ws = []
    for i in range(8):                          # two columns of text
        ws += words_of("alpha beta gamma delta epsilon zeta eta theta iota kappa", 50, 100 + 12 * i)
        ws += words_of("lambda mu nu xi omicron pi rho sigma tau upsilon", 310, 100 + 12 * i)
    for i in range(10):                         # a forest plot: labels and values, aligned at 400
        ws += words_of(f"Study {i} 2012", 130, 300 + 14 * i, size=7.0)
        ws += words_of("1.14 (0.88, 1.49)", 400, 300 + 14 * i, size=7.0)
    # a paragraph's last line beside a heading centred in the right column: two columns still
    ws += words_of("alpha beta gamma", 50, 100 + 12 * 8) + words_of("REFERENCES", 420, 100 + 12 * 8)
    lines = page_lines(ws, 0, 600, 800)
    text = [ln.text for ln in lines]
    assert text.index("alpha beta gamma") < text.index("lambda mu nu xi omicron pi rho sigma tau upsilon")
    assert "REFERENCES" in text
    text.remove("alpha beta gamma")
    text.remove("REFERENCES")
    left = "alpha beta gamma delta epsilon zeta eta theta iota kappa"
    right = "lambda mu nu xi omicron pi rho sigma tau upsilon"
    assert text[:16] == [left] * 8 + [right] * 8
    assert text[16] == "Study 0 2012 1.14 (0.88, 1.49)"        # a figure line stays whole


def test_lower_case_spaced_legend_and_footnote_marks():
    legend = parse_legend("DM diabetes mellitus, T2DM type 2 diabetes mellitus, CRA colorectal adenoma, "
                          "hsCRP high-sensitivity C-reactive protein, T2DM non-insulin dependent diabetes "
                          "mellitus, NA not available")
    assert legend == {"DM": "diabetes mellitus", "T2DM": "type 2 diabetes mellitus", "CRA": "colorectal adenoma",
                      "hsCRP": "high-sensitivity C-reactive protein", "NA": "not available"}
    # prose split at commas does not read as a legend
    assert parse_legend("Patients were seen at 3 months, MRI was done in all, and none withdrew") == {}
    lines = group_lines(words_of("CRA colorectal adenoma, NA not available", 60, 100, size=7.0)
                        + [word("a", 60, 108, size=5.0)] + words_of("conference abstract", 64, 110, size=7.0), 0)
    assert note_text(lines) == "CRA colorectal adenoma, NA not available; a conference abstract"


def test_back_matter_heading_set_only_in_another_face():
    ws = words_of("Results", 60, 100, size=12.0, font="Sans-Bold")
    ws += words_of("Forty patients were treated and followed for a year.", 60, 120)
    ws += words_of("Additional file 1: the search strategy.", 60, 490, size=7.5, font="SmallBody")
    ws += words_of("Funding", 60, 500, size=7.5, font="SansHeading")
    ws += words_of("This work was supported by a grant.", 60, 510, size=7.5, font="SmallBody")
    ws += words_of("References", 60, 530, size=7.5, font="SansHeading")
    ws += words_of("1. Dash C, Palmer JR. Type 2 diabetes. Am J Epidemiol. 2014;179:112.", 60, 540, size=7.5,
                   font="SmallBody")
    sections = split_sections(group_lines(ws, 0), Dehyphenator([]))
    names = [s["name"] for s in sections]
    assert names[-3:] == ["results", "funding", "references"]
    assert sections[-1]["text"].startswith("1. Dash C")


def test_columns_of_short_cells_are_not_three_text_columns():
    # Column-wide spans made only of short cells (two real publishers' PDFs raised here and were
    # quarantined as corrupt): read as plain lines.
    ws = []
    for i in range(8):
        y = 100 + 12 * i
        ws += words_of("abcdefghijklmn opqrstuvwxyzab", 50, y)
        for x0, cell in ((200, "ab cd"), (250, "abcdefghijklm"), (400, "ab cd"), (450, "abcdefghijklm")):
            ws += words_of(cell, x0, y)
    lines = page_lines(ws, 0, 600, 800)
    assert len(lines) == 8 and all(ln.col == 0 for ln in lines)


def test_lines_above_the_header_rule_are_the_header_and_short_rules_mark_spans():
    def h(x0, x1, y):
        return {"orientation": "h", "x0": x0, "x1": x1, "top": y, "bottom": y}
    ws = [word("Pain", 160, 100), word("(NRS)", 182, 100), word("Weeks", 240, 100)]  # Pain spans two
    ws += [word("Study", 60, 114), word("Year", 120, 114), word("mean", 160, 114), word("SD", 200, 114)]
    y = 130
    for study, year, mean, sd in (("Dash", "2014", "6.8", "1.2"), ("Kono", "1998", "3.1", "1.9"),
                                  ("Vu", "2014", "2.9", "1.6")):
        ws += [word(study, 60, y), word(year, 120, y), word(mean, 160, y), word(sd, 200, y), word("12", 240, y)]
        y += 14
    edges = [h(158, 230, 111), h(158, 230, 111.4)]                              # a thin box: two edges
    edges += [h(a, b, 126) for a, b in ((58, 118), (118, 158), (158, 198), (198, 238), (238, 270))]
    tables, _ = unruled_tables(group_lines(ws, 0), 0, edges)
    table, = tables
    assert table.header_rows == 2
    header = [" ".join(x for x in col if x) for col in zip(*[[" ".join(c) for c in r] for r in table.rows[:2]])]
    assert header == ["Study", "Year", "Pain (NRS) mean", "Pain (NRS) SD", "Weeks"]
    assert [[" ".join(c) for c in r] for r in table.rows[2:]] == [
        ["Dash", "2014", "6.8", "1.2", "12"], ["Kono", "1998", "3.1", "1.9", "12"], ["Vu", "2014", "2.9", "1.6", "12"]]
