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


@pytest.mark.parametrize("abstract, groups", [
    # spinal levels name the branch's group
    ("We froze the S1-3 lateral branches under fluoroscopy.", ["sacral_lateral_branch"]),
    ("Freezing targeted the lateral branches of S1, S2 and S3 and the L5 dorsal ramus.", ["sacral_lateral_branch", "other"]),
    ("The L3-L5 medial branches were lesioned bilaterally with a cryoprobe.", ["lumbar_medial_branch"]),
    # an adjectival nerve name with words the lexicon does not list in between
    ("The intercostal spinal nerves of T3 to T7 were frozen.", ["intercostal"]),
    ("Surgeons froze the intercostals nerve roots before closing.", ["intercostal"]),
])
def test_targets_composed_from_their_parts(extract, abstract, groups):
    assert extract(abstract)["target_groups"] == groups


def test_nerves_named_as_the_usual_alternative_are_not_targets(extract):
    out = extract("Genicular nerve freezing avoids the quadriceps weakness of conventional techniques "
                  "such as femoral nerve blocks.")
    assert out["target_groups"] == ["genicular"]


def test_a_reviews_nerves_are_kept_but_sent_to_a_curator(extract):
    out = extract("We searched PubMed and Embase for studies of intercostal nerve freezing. Twelve studies were included.",
                  title="Intercostal nerve freezing: a systematic review")
    assert out["target_groups"] == ["intercostal"]
    assert any(f["field"] == "targets" for f in out["flags"])


@pytest.mark.parametrize("abstract", [
    "Phrenic nerve function was monitored during every freeze of the pulmonary veins.",
    "The probe was angled to spare the femoral nerve while the lesion was frozen.",
])
def test_a_nerve_the_procedure_protects_is_not_a_target(extract, abstract):
    assert extract(abstract)["target_groups"] == []


@pytest.mark.parametrize("abstract, groups", [
    ("Forty patients underwent pudendal cryoablation for neuralgia.", ["pudendal"]),
    ("Outcomes after genicular RF were compared with steroid injection.", ["genicular"]),
    ("Suprascapular PRF relieved shoulder pain for six months.", ["suprascapular"]),
])
def test_a_procedure_named_by_its_nerve(extract, abstract, groups):
    assert extract(abstract)["target_groups"] == groups
