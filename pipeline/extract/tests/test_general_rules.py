"""General clinical-writing rules added in 0.2.0 (sentences written for these tests)."""
import pytest


# --- animal-only work that mentions human use is still animal-only -------------------------

def test_animal_study_mentioning_human_use_is_not_relevant(extract):
    out = extract(
        "BACKGROUND: Cryoneurolysis is widely used for knee pain in humans, yet the dose needed for "
        "a lasting block is unknown.\nMETHODS: Twenty New Zealand rabbits underwent cryoneurolysis "
        "of the saphenous nerve at three probe temperatures.\nRESULTS: Conduction returned by 10 weeks.",
        title="Probe temperature and saphenous nerve recovery after cryoneurolysis in rabbits")
    assert out["relevant"] is False
    assert out["design"] == "other"


def test_unstructured_animal_study_with_clinical_translation_sentence(extract):
    out = extract(
        "Freezing a peripheral nerve is increasingly performed to treat pain in patients. We froze the "
        "tibial nerve of 12 pigs with a cryoprobe and measured motor recovery for 16 weeks. These data "
        "support clinical translation of the technique.",
        title="Motor recovery after tibial nerve cryoneurolysis in a porcine model")
    assert out["relevant"] is False
    assert out["design"] == "other"


def test_human_study_citing_animal_work_stays_relevant(extract):
    out = extract(
        "Animal models show that frozen axons regenerate within weeks. We enrolled 30 patients with "
        "chronic knee pain who underwent cryoneurolysis of the genicular nerves.",
        title="Genicular nerve cryoneurolysis for chronic knee pain")
    assert out["relevant"] is True
    assert out["design"] != "other"


# --- case reports and case series: count the patients described --------------------------

def test_report_of_two_cases_counts_two(extract):
    out = extract(
        "We report two cases of intractable post-thoracotomy pain treated with intercostal "
        "cryoneurolysis. The first patient, a 58-year-old woman, had pain for 2 years. The second "
        "patient, a 71-year-old man, had failed pulsed radiofrequency.",
        title="Intercostal cryoneurolysis for post-thoracotomy pain: two cases",
        publication_types=["Case Reports"])
    assert out["design"] == "case_report"
    assert out["sample_size"] == 2


def test_patients_described_one_by_one_are_a_series(extract):
    out = extract(
        "We describe four consecutive patients with painful heel neuromas treated with cryoneurolysis. "
        "Patient 1 was a 33-year-old runner; Patient 2, a 48-year-old nurse; Patient 3, a 52-year-old "
        "farmer; and Patient 4, a 60-year-old teacher.",
        title="Cryoneurolysis for painful heel neuromas", publication_types=["Case Reports"])
    assert out["design"] == "case_series"
    assert out["sample_size"] == 4


def test_rate_in_background_is_not_the_cohort(extract):
    out = extract(
        "Background: Chronic groin pain follows roughly one in eight hernia repairs and affects up to "
        "one in twelve patients for years. Methods: We describe seven consecutive patients treated "
        "with ilioinguinal nerve cryoneurolysis.")
    assert out["sample_size"] == 7


# --- narrative reviews --------------------------------------------------------------------

def test_self_described_narrative_review_with_search_methods(extract):
    out = extract(
        "Methods: We searched PubMed and Scopus for clinical reports of cryoneurolysis for headache "
        "and summarised eight studies. Results: Two randomized trials and six case series were found.",
        title="Cryoneurolysis for headache disorders: a narrative review")
    assert out["design"] == "narrative_review"


def test_narrative_review_citing_trials_is_not_flagged_as_disagreeing(extract):
    out = extract(
        "This narrative review covers the physiology of nerve freezing and its clinical uses. "
        "Randomized trials support its use after knee arthroplasty, while retrospective series "
        "describe its use for rib fractures.", title="Cryoneurolysis in perioperative medicine")
    assert out["design"] == "narrative_review"
    assert not [f for f in out["flags"] if f["field"] == "design"]


def test_explicit_systematic_review_still_wins(extract):
    out = extract("This systematic review follows PRISMA. A narrative review of the same topic was "
                  "published earlier.", title="Cryoneurolysis for spasticity")
    assert out["design"] == "systematic_review"


# --- follow-up: symptom duration and time since onset are inclusion criteria -------------

@pytest.mark.parametrize("abstract, days", [
    ("Adults with heel pain for more than 6 months were enrolled. Pain was recorded at 4 and 8 weeks.", 56),
    ("We included patients with hip pain of at least 9 months' duration. Outcomes were measured at 6 weeks.", 42),
    ("Patients at least 12 months after spinal cord injury were eligible. Assessments took place 1 and 3 months after treatment.", 90),
    ("Participants with a 2-year history of symptoms were treated. Pain was scored at 2 and 10 weeks.", 70),
    ("The mean follow-up was 7 months (range 3-14 months).", 420),
    ("Median follow-up was 5 months (range, 1 to 11 months).", 330),
])
def test_follow_up_ignores_condition_duration(extract, abstract, days):
    assert extract(abstract)["follow_up_days"] == days


# --- targets: the nerve that carries a neuroma -------------------------------------------

def test_nerve_named_as_neuroma_site_is_not_a_separate_target(extract):
    out = extract("A painful superficial radial nerve neuroma and a sural nerve neuroma were frozen "
                  "with a cryoprobe.")
    assert out["target_groups"] == ["neuroma"]


# --- guidance: a percutaneous procedure is not surgery ----------------------------------

@pytest.mark.parametrize("abstract, expected", [
    ("Percutaneous cryoneurolysis caused less discomfort during the procedure than radiofrequency.", []),
    ("Patients tolerated cryoneurolysis well during the procedure.", []),
    ("Intercostal cryoanalgesia was applied during the Ravitch procedure.", ["surgical"]),
    ("The nerves were frozen during the open surgical procedure.", ["surgical"]),
])
def test_procedure_is_not_surgery_unless_surgical(extract, abstract, expected):
    assert extract(abstract)["guidance"] == expected
