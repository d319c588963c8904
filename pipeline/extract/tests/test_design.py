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


def _flagged(out, field):
    return any(f["field"] == field for f in out["flags"])


@pytest.mark.parametrize("title, abstract, expected", [
    # reviews that never call themselves "a review of the literature"
    ("Freezing nerves for chest wall pain", "This concise review outlines the mechanism and the clinical uses.", "narrative_review"),
    ("Freezing nerves for chest wall pain", "Published reports on the technique were reviewed and summarised.", "narrative_review"),
    ("Freezing nerves for chest wall pain", "The aim of this paper is to review the indications and results of the method.", "narrative_review"),
    ("Cryoanalgesia in children: a scoping review", "This review maps the evidence. An Embase search was conducted in May.", "systematic_review"),
    # randomisation described without the word "randomized"
    ("Freezing the intercostal nerves", "Ninety patients were allocated by a random number table to freezing or to analgesia alone.", "rct"),
    ("Freezing the intercostal nerves", "Patients were randomly split into three groups of 20.", "rct"),
    # case reports in the first person
    ("Mental nerve freezing for neuralgia", "We are reporting a rare case of a woman whose pain resisted drugs.", "case_report"),
    # retrospective by what was done: existing records of treated patients were analysed
    ("Predictors of response to genicular ablation",
     "The clinical data of all patients who underwent ablation between 2015 and 2020 were analysed.", "retrospective_observational"),
])
def test_design_from_what_the_words_describe(extract, title, abstract, expected):
    assert extract(abstract, title=title)["design"] == expected


def test_enrolment_alone_implies_a_prospective_study_but_is_flagged(extract):
    out = extract("Thirty adults with shoulder pain were enrolled and assessed at 3 weeks and 6 months.",
                  title="Suprascapular nerve freezing")
    assert out["design"] == "prospective_observational" and _flagged(out, "design")


def test_a_review_the_paper_also_provides_is_not_its_design(extract):
    out = extract("This case series describes six patients treated with freezing. A narrative review of the "
                  "anatomy is also provided.", title="Freezing of knee nerves: a case series")
    assert out["design"] == "case_series"


def test_a_misspelt_design_word_still_counts_and_is_flagged(extract):
    out = extract("In this randomzied trial 60 patients received freezing or sham.", title="Knee nerve freezing")
    assert out["design"] == "rct" and _flagged(out, "design")


@pytest.mark.parametrize("typed, design", [("retrospectivly", "retrospective_observational"),   # one letter short
                                           ("prospecitvely", "prospective_observational"),      # two swapped
                                           ("randomisedd", "rct")])                              # one too many
def test_a_design_word_one_edit_away_of_any_length_counts(extract, typed, design):
    out = extract(f"We {typed} studied 30 patients after freezing.", title="Knee nerve freezing")
    assert out["design"] == design and _flagged(out, "design")


def test_a_technique_title_without_patients_is_a_flagged_technical_note(extract):
    out = extract("The approach spares motor fibres and is easy to teach.",
                  title="Ultrasound-guided genicular nerve freezing: a motor-sparing technique")
    assert out["design"] == "technical_note" and _flagged(out, "design")
