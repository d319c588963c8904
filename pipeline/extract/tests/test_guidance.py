"""guidance: imaging as guidance only, stimulation for locating, surgical vs double-blind."""
import pytest


@pytest.mark.parametrize("abstract, expected", [
    ("Ultrasound-guided cryoneurolysis of the genicular nerves was performed.", ["ultrasound"]),
    ("The probe was placed under fluoroscopic guidance.", ["fluoroscopy"]),
    ("The procedure was performed under CT guidance with sensory stimulation to confirm the target.", ["ct", "nerve_stimulator"]),
    ("The intercostal nerves were frozen under direct vision before chest closure.", ["surgical"]),
    ("Intraoperatively, the ilioinguinal nerve was frozen with a cryoprobe.", ["surgical"]),
    ("Cryoneurolysis used anatomical landmarks to locate the nerve.", ["landmark"]),
    ("In this double-blind trial, cryoneurolysis was compared with sham.", []),
    ("Pain was assessed two weeks after surgery in the cryoanalgesia group.", []),
    ("Intraoperative data and cryoablation parameters were recorded.", []),
    ("Follow-up computed tomography was performed every 3 months after cryoneurolysis.", []),
])
def test_guidance(extract, abstract, expected):
    assert extract(abstract)["guidance"] == expected


def test_defined_abbreviation_us(extract):
    out = extract("Cryoneurolysis was performed with ultrasound (US). The nerve was identified and frozen under US guidance.")
    assert out["guidance"] == ["ultrasound"]


def test_spinal_cord_stimulation_is_not_guidance(extract):
    out = extract("Patients with spinal cord stimulation (SCS) were excluded from percutaneous cryoneurolysis.")
    assert "nerve_stimulator" not in out["guidance"]


@pytest.mark.parametrize("abstract, expected", [
    # synonyms of the modalities
    ("The nerve was frozen using an image intensifier to place the probe.", ["fluoroscopy"]),
    ("Probe placement was checked with cone-beam CT before freezing.", ["ct"]),
    ("Freezing was done echo-guided in every patient.", ["ultrasound"]),
    ("Neurolysis was repeated during computed tomography control.", ["ct"]),
    ("The probe was inserted using modified bony landmarks.", ["landmark"]),
    # surgical: direct access to the nerve during an operation
    ("After surgical exposure of the sural nerve, the cryoprobe was applied.", ["surgical"]),
    ("At the completion of the tonsillectomy the tonsil beds were frozen.", ["surgical"]),
    ("The nerves were frozen before closing the chest.", ["surgical"]),
])
def test_modality_synonyms(extract, abstract, expected):
    assert extract(abstract)["guidance"] == expected


@pytest.mark.parametrize("abstract, expected", [
    # usual practice or the alternative the study departs from
    ("To date, genicular injections have been performed under fluoroscopic guidance. "
     "Methods: We froze the genicular nerves under ultrasound guidance in 20 patients.", ["ultrasound"]),
    ("Methods: Cryoneurolysis was performed under ultrasound guidance instead of CT guidance.", ["ultrasound"]),
    # a modality that guided only the diagnostic block, not the freezing
    ("Methods: A prognostic block under fluoroscopic guidance preceded cryoablation, which was performed "
     "with ultrasound.", ["ultrasound"]),
    # imaging as an assessment
    ("Results: MRI showed resolution of the oedema after freezing.", []),
    # stimulation given as the therapy is not guidance
    ("Methods: Leads were implanted near the femoral nerve and stimulation was delivered for 60 days "
     "to target the painful area.", []),
])
def test_only_mentions_guiding_the_treatment_count(extract, abstract, expected):
    assert extract(abstract)["guidance"] == expected


def test_a_modality_named_only_in_the_background_is_kept_and_flagged(extract):
    out = extract("Background: Ultrasound-guided freezing of knee nerves is of growing interest.\n"
                  "Methods: Forty patients were treated and followed for six months.")
    assert out["guidance"] == ["ultrasound"]
    assert any(f["field"] == "guidance" for f in out["flags"])
