"""targets + target_groups: lexicon, abbreviations, coordinated lists, complications."""
import pytest


@pytest.mark.parametrize("abstract, groups", [
    ("Cryoneurolysis of the infrapatellar branch of the saphenous nerve (IPBSN) was performed. The IPBSN was frozen twice.", ["saphenous"]),
    ("The superomedial, superolateral and inferomedial genicular nerves were treated with cryoneurolysis.", ["genicular"]),
    ("Cryoanalgesia of the ilioinguinal and iliohypogastric nerves was applied during hernia repair.", ["genitofemoral_ilioinguinal"]),
    ("Cryoneurolysis targeted the medial and lateral pectoral nerves and the musculocutaneous nerve.", ["other", "musculocutaneous"]),
    ("Motor branches (radial, median, ulnar) were frozen under ultrasound guidance.", ["median_ulnar_radial"]),
    ("The 3rd, 4th and 5th intercostal nerves were frozen with a cryoprobe.", ["intercostal"]),
    ("Cryoablation of a painful stump neuroma was performed.", ["neuroma"]),
    ("Cryoneurolysis of the greater occipital nerve relieved occipital neuralgia.", ["occipital"]),
    ("Cryodenervation of the lumbar facet joints was performed in 30 patients.", ["lumbar_medial_branch"]),
])
def test_target_groups(extract, abstract, groups):
    assert extract(abstract)["target_groups"] == groups


def test_complication_nerve_is_not_a_target(extract):
    out = extract("Intercostal nerve cryoablation was performed. No phrenic nerve palsy or neuroma formation occurred.")
    assert out["target_groups"] == ["intercostal"]


def test_pain_site_joint_is_not_a_target(extract):
    out = extract("Cryoneurolysis is used for facet joint pain and knee pain; we review its use.")
    assert out["target_groups"] == []


def test_missing_target_flagged_on_relevant_record(extract):
    out = extract("Forty patients received cryoanalgesia after thoracotomy. Pain was significantly reduced.")
    assert out["targets"] == []
    assert any(f["field"] == "targets" for f in out["flags"])


def test_targets_are_lower_case_with_evidence(extract):
    out = extract("Cryoneurolysis of the Superficial Radial Nerve was performed.")
    assert out["targets"] == ["superficial radial nerve"]
    assert out["evidence"]["targets"][0]["text"] == "Superficial Radial Nerve"
