"""`litmine eval`: which fields are scored on which records, and what the flag columns count."""
import json

from pipeline.extract.evaluate import evaluate, format_report

EMPTY_OUTCOME = {"responder_pct": None, "responder_threshold_pct": None, "mean_change": None,
                 "scale": None, "direction": None}


def _labels(**over):
    labels = {"relevant": True, "design": "case_report", "sample_size": 1, "targets": [],
              "target_groups": [], "guidance": [], "follow_up_days": None, "outcome": dict(EMPTY_OUTCOME)}
    labels.update(over)
    return labels


class FixedExtractor:
    """Returns canned extractions, so the scoring itself is what is tested."""

    def __init__(self, outputs):
        self.outputs = outputs

    def extract_many(self, records):
        for r in records:
            yield self.outputs[r["id"]]


def _out(design, flags=(), confidence=0.9):
    return {"relevant": True, "design": design, "sample_size": 1, "target_groups": [], "guidance": [],
            "follow_up_days": None, "outcome": dict(EMPTY_OUTCOME),
            "evidence": {"design": [{"text": "x", "start": 0, "end": 1, "rule": "r", "confidence": confidence}]},
            "confidence": {"design": confidence},
            "flags": [{"field": f, "reason": "test"} for f in flags]}


def _write(folder, rid, labels, structural=None):
    rec = {"id": rid, "title": "t", "abstract": "a", "labels": labels}
    if structural is not None:
        rec["structural_labels"] = structural
    (folder / f"{rid}.json").write_text(json.dumps(rec))


def test_near_misses_without_structural_labels_score_only_relevance(tmp_path):
    _write(tmp_path, "a_relevant", _labels())
    _write(tmp_path, "b_nearmiss", _labels(relevant=False, design=None, sample_size=None))
    _write(tmp_path, "c_structural", _labels(relevant=False, design="rct", sample_size=1), structural=True)
    outputs = {"a_relevant": _out("case_report"), "b_nearmiss": {**_out("rct"), "relevant": False},
               "c_structural": {**_out("rct"), "relevant": False}}
    report = evaluate(tmp_path, extractor=FixedExtractor(outputs))
    assert report.fields["relevant"].n == 3
    # b's unlabelled design ("rct" predicted, null gold) is not held against the extractor
    assert report.fields["design"].n == 2 and report.fields["design"].correct == 2


def test_wrong_values_are_split_by_whether_a_curator_would_see_them(tmp_path):
    for rid in ("r1", "r2", "r3", "r4"):
        _write(tmp_path, rid, _labels(design="rct"))
    outputs = {"r1": _out("rct"), "r2": _out("rct", flags=["design"]),
               "r3": _out("case_series", flags=["design"], confidence=0.55), "r4": _out("case_series", confidence=0.55)}
    report = evaluate(tmp_path, extractor=FixedExtractor(outputs))
    design = report.fields["design"]
    assert (design.correct, design.wrong, design.wrong_flagged, design.wrong_unflagged) == (2, 2, 1, 1)
    assert design.correct_flagged == 1
    assert design.unflagged_accuracy == 0.5          # r1 right, r4 wrong among the unflagged
    assert report.reliability[(0.5, 0.6)][0] >= 2 and report.reliability[(0.5, 0.6)][1] == 0
    text = format_report(report)
    assert "wrong and unflagged: 1 of" in text and "r4 design" in text


def test_only_selects_records_by_name_or_glob(tmp_path):
    for rid in ("dev_a", "dev_b", "other"):
        _write(tmp_path, rid, _labels())
    outputs = {rid: _out("case_report") for rid in ("dev_a", "dev_b", "other")}
    report = evaluate(tmp_path, extractor=FixedExtractor(outputs), only=["dev_*"])
    assert report.n_records == 2
    assert evaluate(tmp_path, extractor=FixedExtractor(outputs), only=["other"]).n_records == 1
