"""follow_up: longest follow-up in days; mean kept; ranges keep the max; not ages or windows."""
import pytest


@pytest.mark.parametrize("abstract, days", [
    ("Results: Mean follow-up was 51 days.", 51),
    ("Patients were assessed at 6 weeks and up to 18 months after cryoneurolysis.", 540),
    ("Pain was recorded at baseline and at 12 weeks.", 84),
    ("At 6-month follow-up, pain scores remained lower.", 180),
    ("Pain was evaluated 2-18 months after the procedure.", 540),
    ("Outcomes were measured at 1, 3, and 6 months after treatment.", 180),
    ("The patients were followed for 2 years.", 730),
    ("Pain was assessed over a 72-hour period after surgery.", 3),
])
def test_follow_up_days(extract, abstract, days):
    assert extract(abstract)["follow_up_days"] == days


@pytest.mark.parametrize("abstract", [
    "A 45-year-old man with 10 years of pain was treated with cryoneurolysis.",
    "Over a 36-month period, 40 patients were treated with cryoneurolysis.",
    "Cryoneurolysis was performed within two weeks of their scheduled knee arthroplasty.",
    "Numbness continued for 3 months in four patients.",
])
def test_not_follow_up(extract, abstract):
    assert extract(abstract)["follow_up_days"] is None


def test_explicit_follow_up_beats_time_points(extract):
    out = extract("Pain decreased at 24 months in one patient. Median follow-up was 9 months.")
    assert out["follow_up_days"] == 270
    assert out["evidence"]["follow_up"][0]["text"] == "9 months"


@pytest.mark.parametrize("abstract, days", [
    # a time point timed from the treatment outlasts a shorter stated follow-up
    ("Results: At the 1-month follow-up 12 patients improved. One year after treatment, 4 still had relief.", 365),
    # a unitless range after a follow-up statement shares its unit
    ("Results: The median follow-up was 11 months (2-30).", 900),
    # an assessment "in" a time, with the measurement named
    ("Methods: Pain was measured in the second week and in nine months.", 270),
    ("Methods: Outcomes were assessed up to the third month after surgery.", 90),
])
def test_follow_up_phrasings(extract, abstract, days):
    assert extract(abstract)["follow_up_days"] == days


def test_a_longer_assessment_than_the_stated_follow_up_is_flagged(extract):
    out = extract("Results: At the 1-month follow-up 12 patients improved. One year after treatment, 4 still had relief.")
    assert any(f["field"] == "follow_up" and "disagree" in f["reason"] for f in out["flags"])
