"""outcome: direction with negation and comparators; numbers; safety is not efficacy."""
import pytest


@pytest.mark.parametrize("abstract, direction", [
    ("Results: Pain scores were significantly lower in the cryoneurolysis group at 6 weeks.", "improved"),
    ("Results: There was no significant difference in pain scores between cryoneurolysis and sham.", "no_difference"),
    ("Conclusion: Cryoanalgesia did not reduce postoperative pain after hernia repair.", "no_difference"),
    ("Conclusion: Epidural analgesia provided better pain relief than cryoanalgesia after thoracotomy.", "worse"),
    ("Results: No adverse events occurred. Conclusion: Cryoneurolysis was safe.", None),
])
def test_direction(extract, abstract, direction):
    assert extract(abstract)["outcome"]["direction"] == direction


def test_primary_outcome_wins_over_secondary(extract):
    out = extract("Results: No difference was found for the primary outcome at 14 days. At 6 months, pain was significantly reduced in the cryoneurolysis group.")
    assert out["outcome"]["direction"] == "no_difference"


def test_numbers(extract):
    out = extract("Results: Pain decreased from 7.2 to 3.1 on the VAS at 3 months. Twenty patients (80%) reported >50% pain relief.")
    o = out["outcome"]
    assert o["mean_change"] == pytest.approx(-4.1)
    assert o["scale"] == "vas"
    assert o["responder_pct"] == 80.0
    assert o["responder_threshold_pct"] == 50.0


def test_a_study_outside_the_topic_still_has_its_finding(extract):
    out = extract("Results: Ice packs significantly reduced pain after knee arthroplasty.", title="Cold therapy after knee arthroplasty")
    assert out["relevant"] is False
    assert out["outcome"]["direction"] == "improved"


@pytest.mark.parametrize("sentence,responders,threshold", [
    ("Results: Fourteen patients (70%) reported pain relief of 50% or more at 6 months.", 70.0, 50.0),
    ("Results: Nine of the twelve patients (75%) reported at least 50% reduction in stump pain.", 75.0, 50.0),
    ("Results: At 3 months, 64% of participants had a 30% or greater decrease in pain.", 64.0, 30.0),
    ("Results: Eleven patients (55%) obtained pain relief of at least 50% after the procedure.", 55.0, 50.0),
])
def test_responder_definitions_in_their_usual_phrasings(extract, sentence, responders, threshold):
    outcome = extract("Results: Pain scores improved significantly after cryoneurolysis. "
                      + sentence.removeprefix("Results: "))["outcome"]
    assert (outcome["responder_pct"], outcome["responder_threshold_pct"]) == (responders, threshold)


def test_a_percent_change_without_responders_is_not_a_responder_rate(extract):
    outcome = extract("Results: Pain improved significantly. Opioid consumption was reduced by 50% "
                      "at 4 weeks.")["outcome"]
    assert outcome["responder_pct"] is None and outcome["responder_threshold_pct"] is None


def test_a_protocol_has_no_finding(extract):
    out = extract("Methods: 120 adults will be randomised to freezing or sham. We expect freezing to reduce "
                  "opioid use. Results: The trial will report pain at 12 months.",
                  title="Intercostal nerve freezing for rib fractures: study protocol for a randomised trial")
    assert out["design"] == "protocol" and out["outcome"]["direction"] is None


def test_the_finding_carries_its_time_point(extract):
    out = extract("Results: At 12 weeks, pain was significantly lower after freezing than after sham. "
                  "Patients were followed for 6 months.")
    assert out["outcome"]["direction"] == "improved"
    assert out["outcome"]["time_point_days"] == 84 and out["follow_up_days"] == 180
