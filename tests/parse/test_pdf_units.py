"""Units under the PDF parser: reference lists, table legends, header mapping and the cell
normalisers that wrap the extractor's vocabularies."""

from __future__ import annotations

from pipeline.parse import field_normalisers as fn
from pipeline.parse.evidence_table import is_evidence_table, map_header, parse_legend
from pipeline.parse.references import parse_references


def test_numbered_references_with_wrapped_lines_and_dois():
    lines = ["1. Halvorsen K, Okafor CN. Ultrasound-guided cryo-", "neurolysis of the knee. Illus J Pain Med.",
             "2023;14(2):101-112. doi:10.5555/litmine.0001", "2. M\u00fcller J. Tibial nerve. Ex J. 2024;37:420.",
             "[3] Torres M. Occipital nerve. 2021;25:310. https://doi.org/10.1000/ABC.123.",
             "2023;9(6):377-385 is not a new entry"]
    refs = parse_references(lines)
    assert [r["number"] for r in refs] == [1, 2, 3]
    assert refs[0]["doi"] == "10.5555/litmine.0001" and refs[0]["first_author"] == "Halvorsen"
    assert refs[0]["year"] == 2023 and "Ultrasound-guided cryoneurolysis of the knee" in refs[0]["text"]
    assert refs[1]["first_author"] == "M\u00fcller" and refs[1]["doi"] is None
    assert refs[2]["doi"] == "10.1000/abc.123" and refs[2]["text"].endswith("new entry")


def test_legend_and_header_mapping():
    legend = parse_legend("Table 1. Studies. RCT, randomised controlled trial; OP = observational prospective; "
                          "US: ultrasound; mo, months.")
    assert legend["RCT"] == "randomised controlled trial" and legend["OP"] == "observational prospective"
    assert legend["US"] == "ultrasound" and legend["mo"] == "months"
    header = ["Study", "Design", "N", "Nerve(s)", "Imaging", "Follow-up (months)", "Main outcomes"]
    assert map_header(header) == {"author": 0, "design": 1, "sample_size": 2, "targets": 3, "guidance": 4,
                                  "follow_up": 5, "outcome": 6}
    assert is_evidence_table(header)
    assert not is_evidence_table(["Outcome", "Cryo (n = 30)", "Sham (n = 30)", "p"])


def test_cell_normalisers():
    assert fn.follow_up_days("6 Months") == 180 and fn.follow_up_days("2-18 mo") == 540
    assert fn.follow_up_days("9", "Follow-up (months)") == 270 and fn.follow_up_days("NR") is None
    assert fn.guidance_of("US and Fluoro") == ["ultrasound", "fluoroscopy"]
    assert fn.guidance_of("ultrasound + nerve stimulator") == ["ultrasound", "nerve_stimulator"]
    assert fn.design_of("non-randomised controlled trial") == "nonrandomized_trial"
    assert fn.design_of("observational retrospective") == "retrospective_observational"
    assert fn.design_of("RCT") == "rct" and fn.design_of("CR") == "case_report"
    assert fn.targets_of("Genicular + infrapatellar branch of the saphenous nerve") == (
        ["genicular nerve", "infrapatellar branch of the saphenous nerve"], ["genicular", "saphenous"])
    assert fn.sample_size_of("1,024") == 1024 and fn.sample_size_of("NR") is None
