"""design: what the study is; title vs methods; publication types as a signal."""
import pytest


@pytest.mark.parametrize("title, abstract, expected", [
    ("Cryoneurolysis of the genicular nerves", "Patients were randomly assigned to cryoneurolysis or sham in a double-blind trial.", "rct"),
    ("Cryoanalgesia after thoracotomy", "We retrospectively reviewed the charts of 84 patients who received intercostal cryoanalgesia.", "retrospective_observational"),
    ("Cryoneurolysis for spasticity", "In this prospective, single-arm pilot study, 20 patients received cryoneurolysis.", "prospective_observational"),
    ("Cryoneurolysis for knee osteoarthritis: a systematic review and meta-analysis", "PubMed, Embase and Cochrane were searched. Nine randomized controlled trials were included.", "systematic_review"),
    ("Cryoneurolysis in chronic pain: a narrative review", "In this review we summarize the literature on cryoneurolysis.", "narrative_review"),
    ("Ultrasound-guided cryoneurolysis of the suprascapular nerve: a technical note", "We describe a technique for freezing the suprascapular nerve.", "technical_note"),
    ("Cryoneurolysis for post-herpetic neuralgia", "We report two cases of intercostal cryoneurolysis for postherpetic neuralgia.", "case_report"),
    ("Cryoneurolysis for post-herpetic neuralgia", "We report four cases of intercostal cryoneurolysis for postherpetic neuralgia.", "case_series"),
    ("Cryoneurolysis of the sciatic nerve in a rat model", "Sciatic nerves of 24 rats were frozen with a cryoprobe.", "other"),
    ("Cryoneurolysis trial: study protocol", "Participants will be randomized to cryoneurolysis or sham.", "protocol"),
])
def test_design_cues(extract, title, abstract, expected):
    assert extract(abstract, title=title)["design"] == expected


def test_needed_trials_are_not_this_study(extract):
    out = extract("We treated 15 consecutive patients with cryoneurolysis in a case series. Randomized controlled trials are needed.")
    assert out["design"] == "case_series"


def test_title_contradicted_by_methods_is_flagged(extract):
    out = extract("Methods: We retrospectively reviewed 40 patients treated with genicular nerve cryoneurolysis.",
                  title="A randomized trial of genicular nerve cryoneurolysis")
    assert out["design"] == "retrospective_observational"
    assert any(f["field"] == "design" and "disagree" in f["reason"] for f in out["flags"])


def test_publication_type_used_when_text_is_silent(extract):
    out = extract("Forty patients received intercostal cryoanalgesia or epidural analgesia.",
                  publication_types=["Randomized Controlled Trial"])
    assert out["design"] == "rct"


def test_fallback_guess_is_flagged(extract):
    out = extract("Twenty-two patients underwent cryoneurolysis of the occipital nerves. Pain decreased significantly.")
    assert out["design"] == "case_series"
    assert any(f["field"] == "design" for f in out["flags"])
