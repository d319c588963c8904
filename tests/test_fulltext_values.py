"""The rule for which reading of a field is shown, and where evidence was read."""

from __future__ import annotations

from pipeline.fulltext_values import locate_evidence, reconcile


def extraction(**values):
    evidence = {k: [{"text": str(v), "start": 0, "end": 1, "rule": "r", "confidence": 0.9,
                     **({"section": "methods"} if values.get("_full") else {})}]
                for k, v in values.items() if not k.startswith("_") and v not in (None, [])}
    out = {"design": None, "sample_size": None, "targets": [], "target_groups": [], "guidance": [],
           "follow_up_days": None, "flags": []}
    out.update({k: v for k, v in values.items() if not k.startswith("_")})
    out["evidence"] = {("follow_up" if k == "follow_up_days" else k): e for k, e in evidence.items()}
    return out


def sources(result):
    return {s["field"]: s for s in result["field_sources"]}


def test_full_text_value_is_shown_and_a_disagreement_flagged_with_both():
    result = reconcile(extraction(follow_up_days=84, guidance=["ultrasound"]),
                       extraction(follow_up_days=180, guidance=["ultrasound", "nerve_stimulator"], _full=True))
    assert result["follow_up_days"] == 180
    follow = sources(result)["follow_up_days"]
    assert follow == {"field": "follow_up_days", "abstract": 84, "full_text": 180,
                      "shown": "full_text", "disagree": True}
    assert any("abstract 84, full text 180" in f["reason"] for f in result["flags"])
    # An added list item is not a disagreement.
    assert sources(result)["guidance"]["disagree"] is False


def test_design_keeps_the_abstracts_statement_and_a_lost_value_comes_back_with_its_evidence():
    result = reconcile(extraction(design="narrative_review", sample_size=40),
                       extraction(design="case_report", sample_size=None, _full=True))
    assert result["design"] == "narrative_review" and sources(result)["design"]["shown"] == "abstract"
    assert sources(result)["design"]["disagree"]
    assert result["sample_size"] == 40 and result["evidence"]["sample_size"][0]["text"] == "40"
    assert sources(result)["sample_size"] == {"field": "sample_size", "abstract": 40, "full_text": None,
                                              "shown": "abstract", "disagree": False}


def test_every_evidence_item_says_where_it_was_read():
    parsed = {"format": "jats", "sections": [{"name": "methods", "title": "Methods", "text": "a\n\nb c",
                                              "paragraphs": [[0, 1], [3, 6]]}],
              "tables": [{"label": "Table 1", "header": ["Outcome", "n"], "rows": [["pain", "12"]]}]}
    result = {"evidence": {"sample_size": [{"section": "results / Table 1", "start": 15, "end": 17},
                                           {"section": None, "start": 4, "end": 6}],
                           "guidance": [{"section": "methods", "start": 4, "end": 5}]}}
    locate_evidence(result, parsed)
    table, abstract = result["evidence"]["sample_size"]
    assert table["location"] == {"source": "table", "format": "jats", "table": "Table 1", "row": 1,
                                 "column": 2, "header": "n", "page": None}
    assert abstract["location"] == {"source": "abstract"}
    assert result["evidence"]["guidance"][0]["location"]["paragraph"] == 2


def test_fields_derived_from_the_design_follow_the_design_shown():
    # A narrative review whose full text describes a case report: the extractor, reading it,
    # calls the record a case report with 1 patient. The abstract's design is shown, and so is
    # its (absent) sample size, both flagged.
    result = reconcile(extraction(design="narrative_review"),
                       extraction(design="case_report", sample_size=1, follow_up_days=84, _full=True))
    assert (result["design"], result["sample_size"], result["follow_up_days"]) == ("narrative_review", None, None)
    assert result["evidence"]["sample_size"] == [] and result["evidence"]["follow_up"] == []
    shown = sources(result)
    assert shown["sample_size"]["shown"] == "abstract" and shown["sample_size"]["disagree"]
    assert {f["field"] for f in result["flags"]} >= {"design", "sample_size", "follow_up"}
