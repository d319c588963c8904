"""indication and adverse_events."""


def test_indication_from_title(extract):
    out = extract("We treated 12 patients.", title="Cryoneurolysis for the treatment of phantom limb pain")
    assert out["indication"] == "phantom limb pain"


def test_negated_adverse_events(extract):
    out = extract("Results: Pain improved significantly. No adverse events were reported.")
    assert out["adverse_events"] == "No adverse events were reported."
    assert out["evidence"]["adverse_events"][0]["rule"] == "adverse_events.none_reported"


def test_reported_harm(extract):
    out = extract("Results: Three patients had a pneumothorax after intercostal cryoneurolysis.")
    assert "pneumothorax" in out["adverse_events"]
    assert out["evidence"]["adverse_events"][0]["rule"] == "adverse_events.reported"
