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
