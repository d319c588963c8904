"""relevant: nerve-directed freezing in humans; near-misses are not relevant."""
import pytest


@pytest.mark.parametrize("title, abstract, relevant", [
    ("Cryoneurolysis for knee osteoarthritis", "Forty patients were treated.", True),
    ("Intercostal nerve cryoablation after the Nuss procedure", "Opioid use was reduced.", True),
    ("Cryoablation therapy after thoracotomy", "Pain was lower in the cryo group after surgery.", True),
    ("Percutaneous cryoablation of renal tumours", "Cryoablation of 50 small renal masses was performed.", False),
    ("Cryoballoon ablation for atrial fibrillation", "Phrenic nerve palsy occurred in 2% of patients.", False),
    ("Cold therapy after arthroplasty", "Cryotherapy with ice packs reduced pain and swelling.", False),
    ("Whole-body cryotherapy in fibromyalgia", "Patients entered a cryosauna cabin.", False),
    ("Cryoneurolysis of the rat sciatic nerve", "Rats were treated with a cryoprobe; nerve regeneration was assessed.", False),
    ("Radiofrequency ablation of genicular nerves", "Radiofrequency ablation reduced knee pain.", False),
])
def test_relevance(extract, title, abstract, relevant):
    out = extract(abstract, title=title)
    assert out["relevant"] is relevant
    assert out["evidence"]["relevant"]


def test_relevance_does_not_empty_the_structural_fields(extract):
    """A study outside the topic still has a design, a sample size and a guidance modality."""
    out = extract("In this retrospective study, 20 patients underwent cryoablation of lung metastases "
                  "under CT guidance.", title="Cryoablation of lung metastases")
    assert out["relevant"] is False
    assert out["guidance"] == ["ct"] and out["sample_size"] == 20
    assert out["design"] == "retrospective_observational"


def test_the_topic_vocabulary_is_configuration(tmp_path):
    """Another topic brings its own vocabulary: relevance follows it, the structural fields do not care."""
    import json

    from pipeline.config import Settings
    from pipeline.extract import build_extractor
    from pipeline.extract.vocabulary import VOCAB_DIR

    topic = json.loads((VOCAB_DIR / "relevance.json").read_text())
    topic["nerve_cryo"] = [r"\bradiofrequency\s+(?:ablation|neurotomy|denervation)\b"]
    topic["invasive_cryo"] = [r"\bRF\s+lesion\w*"]
    path = tmp_path / "radiofrequency.json"
    path.write_text(json.dumps(topic))
    settings = Settings.from_env({"LITMINE_TOPIC_VOCAB": str(path)})
    record = {"id": "1", "title": "Radiofrequency ablation of the genicular nerves",
              "abstract": "Methods: 40 patients with knee pain underwent radiofrequency ablation of the genicular nerves."}
    default, other = build_extractor().extract(record), build_extractor(settings.extractor_config).extract(record)
    assert default["relevant"] is False and other["relevant"] is True
    assert default["target_groups"] == other["target_groups"] == ["genicular"]


def test_kryo_spelling_is_freezing_too(extract):
    out = extract("Kryorhizotomy of the lumbar medial branches was performed in 50 patients with facet pain.",
                  title="Percutaneous kryorhizotomy for lumbar facet pain")
    assert out["relevant"] is True
