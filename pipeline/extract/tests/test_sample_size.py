"""sample_size: participants, not knees/nerves/procedures; totals over arms; exclusions."""
import pytest


@pytest.mark.parametrize("abstract, expected", [
    ("METHODS: Eighteen patients with chronic knee pain underwent cryoneurolysis.", 18),
    ("Twenty-six adults were enrolled and treated with ultrasound-guided cryoneurolysis.", 26),
    ("One hundred and four patients were randomized to cryoneurolysis or sham.", 104),
    ("Participants were randomized 2:1 to cryoneurolysis (n = 121) or sham (n = 59).", 180),
    ("We treated 64 knees in 45 patients with cryoneurolysis of the genicular nerves.", 45),
    ("A total of 212 nerves were frozen in 71 patients over the study period.", 71),
    ("Of 140 patients screened, 96 were enrolled. Twelve patients were lost to follow-up.", 96),
    ("Sixty patients were randomized; 8 patients were excluded after randomization.", 60),
    ("Nine male and eleven female patients received intercostal cryoanalgesia.", 20),
    ("Thirty patients in the cryoneurolysis group and 32 patients in the control group completed the study.", 62),
])
def test_counts_participants(extract, abstract, expected):
    assert extract(abstract)["sample_size"] == expected


def test_percentage_is_not_a_count(extract):
    out = extract("Seventy percent of the patients (N = 40) reported relief after cryoneurolysis of the sural nerve.")
    assert out["sample_size"] == 40


def test_historical_comparator_not_added(extract):
    out = extract("Twelve patients received cryoanalgesia. Compared with the preceding 30 patients treated with epidural analgesia, opioid use was lower.")
    assert out["sample_size"] == 12


def test_case_report_is_one(extract):
    out = extract("We report a 58-year-old woman with phantom limb pain treated with cryoneurolysis of the sciatic nerve.",
                  title="Cryoneurolysis for phantom limb pain: a case report")
    assert out["design"] == "case_report"
    assert out["sample_size"] == 1


def test_review_has_no_sample_size(extract):
    out = extract("We searched MEDLINE and Embase. Fourteen studies including 612 patients were included in this systematic review.",
                  title="Cryoneurolysis for knee pain: a systematic review")
    assert out["sample_size"] is None


def test_evidence_offsets_point_into_text(extract):
    title = "Cryoneurolysis for pain"
    abstract = "Methods: Forty-two patients were enrolled."
    out = extract(abstract, title=title)
    ev = out["evidence"]["sample_size"][0]
    assert (title + "\n" + abstract)[ev["start"]:ev["end"]] == ev["text"] == "Forty-two patients"


@pytest.mark.parametrize("abstract, n", [
    # identified minus excluded before inclusion
    ("Results: Sixty-two patients were identified; 7 patients were excluded for incomplete records.", 55),
    # "among N patients who ..." is the cohort, not a subgroup
    ("Results: Among 118 patients who underwent freezing, 70% reported relief at 3 months.", 118),
    # arms given as n = ... and n = ...
    ("Methods: Patients were allocated to freezing (n = 71) or sham (n = 73).", 144),
    # number words and digits in one count
    ("Methods: Twenty-one women and 9 men were enrolled.", 30),
    # not participants: knees, nerves, sessions
    ("Methods: 35 knees in 22 patients were treated in 40 sessions.", 22),
])
def test_sample_size_phrasings(extract, abstract, n):
    assert extract(abstract)["sample_size"] == n
