"""Calibration: confidences move with how often a rule was right, and flags follow them."""
import json

from pipeline.extract import build_extractor
from pipeline.extract.calibration import Calibration, load_calibration
from pipeline.extract.evidence import Evidence

ABSTRACT = "Methods: In this retrospective study we reviewed the charts of 40 patients treated with cryoneurolysis."


def test_a_rule_seen_rarely_keeps_its_own_confidence_and_one_seen_often_takes_its_record():
    cal = Calibration({"design.rare": (2, 0), "design.often_wrong": (200, 80)}, prior_strength=20)
    assert abs(cal.confidence("design.rare", 0.9) - 0.82) < 0.01          # 2 misses barely move it
    assert abs(cal.confidence("design.often_wrong", 0.9) - 0.445) < 0.01  # 40 % right on 200 values
    assert cal.confidence("design.unseen", 0.7) == 0.7


def test_a_list_is_as_trustworthy_as_its_weakest_value():
    cal = Calibration()
    ev = [Evidence("a", 0, 1, "guidance.ultrasound", 0.95), Evidence("b", 2, 3, "guidance.landmark", 0.5)]
    assert cal.field_confidence("guidance", ev) == 0.5
    assert cal.field_confidence("design", ev) == 0.95


def test_a_rule_that_was_often_wrong_sends_its_values_to_a_curator(tmp_path):
    calibrated = tmp_path / "calibration.json"
    Calibration({"design.retrospective_observational": (100, 30)}).to_json(calibrated)
    plain = build_extractor({"calibration": str(tmp_path / "absent.json")}).extract(
        {"id": "1", "title": "Knee nerve freezing", "abstract": ABSTRACT})
    doubted = build_extractor({"calibration": str(calibrated)}).extract(
        {"id": "1", "title": "Knee nerve freezing", "abstract": ABSTRACT})
    assert plain["design"] == doubted["design"] == "retrospective_observational"
    assert not any(f["field"] == "design" for f in plain["flags"])
    assert doubted["confidence"]["design"] < 0.6
    assert any(f["field"] == "design" and "low confidence" in f["reason"] for f in doubted["flags"])
    assert json.loads(calibrated.read_text())["rules"]["design.retrospective_observational"] == [100, 30]
    assert load_calibration(calibrated).counts["design.retrospective_observational"] == (100, 30)
