"""direction: the grammar of findings - nulls, comparatives with their comparator, improvement,
and sentences that only look like findings."""
import re

import pytest

from pipeline.extract.direction import clause_direction, has_direction_words, intervention_pattern
from pipeline.extract.outcome import PROCEDURE_WORDS

CRYO = intervention_pattern("Cryoneurolysis of the genicular nerves", PROCEDURE_WORDS)


@pytest.mark.parametrize("sentence, direction", [
    # between-group nulls in their usual phrasings
    ("The difference in pain scores between arms did not reach statistical significance.", "no_difference"),
    ("Both approaches produced comparable pain relief at three months.", "no_difference"),
    ("Freezing was non-inferior to surgical neurectomy for pain at 6 months.", "no_difference"),
    ("There was no intergroup difference in NRS at any time point.", "no_difference"),
    ("The procedure failed to improve walking distance.", "no_difference"),
    # comparatives: the comparator decides whose win it is
    ("Opioid use was lower in the cryoneurolysis group than in the control group.", "improved"),
    ("Opioid use was lower in the control group than in the cryoneurolysis group.", "worse"),
    ("The relapse rate was higher after cryoablation than after surgical excision.", "worse"),
    ("Satisfaction was higher with cryoneurolysis compared with usual care.", "improved"),
    ("The thoracic epidural gave better analgesia than cryoneurolysis on day one.", "worse"),
    # single-arm improvement
    ("Mean pain intensity fell from 7 to 3 by the final visit.", "improved"),
    ("Most patients obtained substantial pain relief lasting several months.", "improved"),
    ("The technique proved a valuable alternative to repeated steroid injections.", "improved"),
])
def test_findings(sentence, direction):
    found = clause_direction(sentence, CRYO, comparative_study=True)
    assert found is not None and found[0] == direction


@pytest.mark.parametrize("sentence", [
    "The two arms were similar with respect to age, sex and body mass index.",     # baseline
    "Primary outcome measure: change in average pain from baseline.",              # a definition
    "Freezing has been used for decades in order to reduce pain and opioid use.",  # a purpose
    "Group 2 had better scores than group 1 on the second day.",                   # winner unknown
])
def test_sentences_that_only_look_like_findings(sentence):
    assert clause_direction(sentence, CRYO, comparative_study=True) is None


def test_improvement_in_both_arms_is_no_win_in_a_comparative_study():
    sentence = "Pain decreased significantly in both groups over the first month."
    assert clause_direction(sentence, CRYO, comparative_study=True)[1] == "improvement_both_arms"
    assert clause_direction(sentence, CRYO, comparative_study=False) == ("improved", "improvement")


def test_whether_the_study_compares_arms_is_asked_only_when_the_finding_depends_on_it():
    asked = []

    def compares() -> bool:
        asked.append(True)
        return True

    assert clause_direction("Cryoneurolysis significantly reduced pain.", CRYO, compares) == ("improved", "improvement")
    assert asked == []                     # a plain improvement: the abstract is not searched
    both = "Pain decreased significantly in both groups over the first month."
    assert clause_direction(both, CRYO, compares)[1] == "improvement_both_arms"
    assert asked == [True]


def test_a_sentence_without_direction_words_has_no_direction():
    sentence = "Patients were followed at the clinic every month."
    assert not has_direction_words(sentence)
    assert clause_direction(sentence, CRYO, comparative_study=True) is None
    assert has_direction_words("Pain was REDUCED.")


def test_a_clause_after_but_keeps_the_subject_of_the_sentence():
    sentence = ("Cryoablation achieved comparable acute success but a higher recurrence rate "
                "as compared with radiofrequency ablation.")
    assert clause_direction(sentence, intervention_pattern("Cryoablation versus RF", PROCEDURE_WORDS),
                            comparative_study=True)[0] == "no_difference"
    tail = "a higher recurrence rate as compared with radiofrequency ablation"
    assert clause_direction("Cryoablation was feasible but " + tail,
                            intervention_pattern("Cryoablation versus RF", PROCEDURE_WORDS), True)[0] == "worse"


def test_the_intervention_is_the_first_procedure_the_title_names():
    pattern = intervention_pattern("Pulsed radiofrequency versus nerve block for shoulder pain", PROCEDURE_WORDS)
    assert pattern.search("the pulsed radiofrequency group") and not pattern.search("the nerve block group")
    assert re.search(intervention_pattern("Knee pain: a trial", PROCEDURE_WORDS), "the cryoneurolysis arm")


def test_findings_disagreeing_in_one_part_of_the_abstract_are_flagged(extract):
    out = extract("Results: Pain was significantly lower after cryoneurolysis than after sham at 6 weeks. "
                  "There was no significant difference in pain between cryoneurolysis and sham at 12 weeks.")
    assert any(f["field"] == "outcome" and "disagree" in f["reason"] for f in out["flags"])


def test_a_larger_reduction_than_the_comparator_is_a_win():
    sentence = "Cryoneurolysis produced larger and more durable reductions in spasticity than botulinum toxin."
    assert clause_direction(sentence, CRYO, comparative_study=True) == ("improved", "comparative")
