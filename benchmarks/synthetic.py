"""Synthetic mirror corpora at scale, with abstracts varied enough that extraction costs what it
costs on real ones: structured abstracts (background, methods, results, conclusions) of about
150-300 words, across designs, nerves, indications, guidance, follow-up, outcome scales and
adverse events, plus off-topic cryo records (tumour ablation, cryotherapy) the relevance rules
must turn down. Written by us from templates; no real record is copied.

Records are seeded by their index, so a corpus is the same on every run. PubMed records go 1,000
to a file (the mirror's layout allows many `<PubmedArticle>` elements per file); preprints are one
Europe PMC JSON list per 1,000.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

FIRST_PMID = 970000000
NERVES = ["genicular nerves", "intercostal nerves", "greater occipital nerve", "suprascapular nerve",
          "lateral femoral cutaneous nerve", "superficial radial nerve", "sciatic nerve",
          "infrapatellar branch of the saphenous nerve", "musculocutaneous nerve", "tibial nerve",
          "medial branch nerves", "pudendal nerve", "ilioinguinal nerve", "median nerve"]
INDICATIONS = ["knee osteoarthritis pain", "post-thoracotomy pain", "chronic occipital neuralgia",
               "hemiplegic shoulder pain", "meralgia paresthetica", "upper limb spasticity",
               "lower limb spasticity after stroke", "phantom limb pain", "pain after total knee arthroplasty",
               "rib fracture pain", "chronic low back pain", "pudendal neuralgia", "post-herniorrhaphy pain"]
GUIDANCE = ["ultrasound", "fluoroscopy", "CT", "nerve stimulator", "landmark"]
SCALES = [("numeric rating scale (NRS)", 10), ("visual analogue scale (VAS)", 100),
          ("WOMAC pain subscale", 20), ("Modified Ashworth Scale", 4), ("Brief Pain Inventory", 10)]
FOLLOW_UP = ["6 weeks", "3 months", "12 weeks", "6 months", "12 months", "90 days", "1 year"]
EVENTS = ["No serious adverse events occurred.",
          "Transient numbness at the treatment site was reported by {k} patients.",
          "One patient developed a small hematoma that resolved without treatment.",
          "Adverse events were mild and self-limited, mainly local bruising ({k} patients).",
          "Two patients reported neuritis lasting less than four weeks."]
LIMITS = ["The small sample and short follow-up limit these conclusions.",
          "Larger randomized trials with longer follow-up are needed.",
          "Repeat treatment may be required as the nerve regenerates.",
          "Selection bias cannot be excluded in this retrospective design."]
OFF_TOPIC = [
    ("Percutaneous cryoablation of small renal masses: oncologic outcomes in {n} patients",
     "Percutaneous cryoablation is an option for small renal tumours in patients unfit for surgery. "
     "We reviewed {n} patients treated with CT-guided cryoablation. Local recurrence-free survival was "
     "{pct}% at {fu}. Major complications occurred in {k} patients. Cryoablation offers durable local "
     "control of T1a renal cell carcinoma."),
    ("Cryotherapy versus salicylic acid for common warts: a randomized trial",
     "Cutaneous warts are common in primary care. In this randomized trial {n} participants received "
     "liquid nitrogen cryotherapy or salicylic acid. Clearance at {fu} was {pct}% with cryotherapy. "
     "Blistering and pain were more frequent after cryotherapy. Both treatments are reasonable options."),
    ("Cryoballoon ablation for paroxysmal atrial fibrillation: {n}-patient registry",
     "Pulmonary vein isolation with the cryoballoon was performed in {n} consecutive patients. Freedom "
     "from atrial arrhythmia at {fu} was {pct}%. Phrenic nerve palsy occurred in {k} patients and "
     "resolved in all. Cryoballoon ablation is effective and safe for paroxysmal atrial fibrillation."),
]


def _methods(rng: random.Random, design: str, n: int, nerve: str, indication: str, guide: str,
             scale: str, fu: str) -> tuple[str, str]:
    """(publication type, methods text) of one design."""
    if design == "rct":
        blinding = rng.choice(["double-blind", "single-blind", "sham-controlled", "open-label"])
        comparator = rng.choice(["sham cryoneurolysis", "radiofrequency ablation",
                                 "corticosteroid injection", "standard care", "botulinum toxin"])
        return "Randomized Controlled Trial", (
            f"In this {blinding} randomized controlled trial, {n} patients with {indication} were "
            f"randomly assigned to {guide}-guided cryoneurolysis of the {nerve} or {comparator}. The "
            f"primary outcome was the {scale} at {fu}; secondary outcomes included function, "
            f"opioid use and satisfaction.")
    if design == "cohort":
        y = rng.randint(2012, 2021)
        return "Journal Article", (
            f"We retrospectively reviewed {n} consecutive patients who underwent {guide}-guided "
            f"cryoneurolysis of the {nerve} for {indication} between {y} and {y + rng.randint(1, 4)}. "
            f"Pain was recorded on the {scale} before treatment and at {fu}.")
    if design == "prospective":
        return "Observational Study", (
            f"This prospective observational study enrolled {n} adults with {indication} refractory "
            f"to conservative care. Cryoneurolysis of the {nerve} was performed under {guide} "
            f"guidance with a {rng.choice(['2', '3', '4'])}-minute freeze cycle. Participants were "
            f"followed for {fu}.")
    if design == "series":
        return "Case Reports", (
            f"We report a series of {n} patients with {indication} treated with {guide}-guided "
            f"cryoneurolysis of the {nerve}. Outcomes were assessed with the {scale} at {fu}.")
    if design == "case":
        age, sex = rng.randint(24, 84), rng.choice(["man", "woman"])
        return "Case Reports", (
            f"We describe a {age}-year-old {sex} with {indication} who did not respond to "
            f"medication and physiotherapy. After a diagnostic block, {guide}-guided cryoneurolysis "
            f"of the {nerve} was performed.")
    k = rng.randint(4, 30)
    return "Systematic Review", (
        f"We searched MEDLINE, Embase and CENTRAL to {rng.randint(2019, 2025)} for studies of "
        f"cryoneurolysis for {indication}. {k} studies ({n} patients) met the inclusion criteria; "
        f"risk of bias was assessed with RoB 2 and ROBINS-I, and the {scale} was pooled at {fu}.")


def abstract(i: int) -> tuple[str, list[tuple[str, str]], str]:
    """(title, [(label, text)], publication type) of synthetic record `i`."""
    rng = random.Random(i)
    n = rng.choice([1, 12, 20, 34, 48, 60, 75, 96, 120, 150, 214, 320])
    fu, pct, k = rng.choice(FOLLOW_UP), rng.randint(35, 92), rng.randint(1, 9)
    if rng.random() < 0.12:
        title, text = rng.choice(OFF_TOPIC)
        text = text.format(n=n, pct=pct, fu=fu, k=k)
        return title.format(n=n), [("", text)], "Journal Article"
    nerve, indication, guide = rng.choice(NERVES), rng.choice(INDICATIONS), rng.choice(GUIDANCE)
    (scale, top), design = rng.choice(SCALES), rng.choice(
        ["rct", "rct", "cohort", "cohort", "prospective", "series", "case", "review"])
    n = 1 if design == "case" else max(n, 3)
    pub_type, methods = _methods(rng, design, n, nerve, indication, guide, scale, fu)
    before = round(rng.uniform(0.55, 0.9) * top, 1)
    after = round(before * rng.uniform(0.25, 0.8), 1)
    results = (f"Baseline characteristics were similar, with a mean age of {rng.randint(38, 76)} "
               f"years and symptom duration of {rng.randint(3, 60)} months. At {fu}, the mean "
               f"{scale.split(' (')[0]} fell from {before} to {after} "
               f"(p {rng.choice(['< 0.001', '= 0.002', '= 0.03', '= 0.21'])}). {pct}% of patients "
               f"reported at least {rng.choice([30, 50])}% pain relief, and daily opioid use "
               f"decreased by {rng.randint(10, 70)}% (95% CI {rng.randint(2, 9)} to "
               f"{rng.randint(71, 90)}). Function scores improved from {rng.randint(30, 50)} to "
               f"{rng.randint(51, 80)} points. {rng.randint(1, 5)} patients were lost to follow-up. "
               + rng.choice(EVENTS).format(k=k))
    verdict = rng.choice(["is a safe and effective treatment for", "may reduce pain in",
                          "did not outperform the comparator for", "warrants larger trials in"])
    sections = [
        ("BACKGROUND", f"{indication.capitalize()} limits daily activity and often responds poorly "
                       f"to medication, and opioids carry well-known risks. Cryoneurolysis of the "
                       f"{nerve} produces a reversible conduction block by Wallerian degeneration "
                       f"that may last for months while the nerve regenerates. Evidence on its "
                       f"{rng.choice(['efficacy', 'durability', 'safety'])} in this setting is "
                       f"{rng.choice(['limited', 'scarce', 'conflicting'])}."),
        ("METHODS", methods), ("RESULTS", results),
        ("CONCLUSIONS", f"{guide[0].upper() + guide[1:]}-guided cryoneurolysis of the {nerve} "
                        f"{verdict} {indication}. {rng.choice(LIMITS)}"),
    ]
    title = rng.choice([
        f"Cryoneurolysis of the {nerve} for {indication}",
        f"{guide[0].upper() + guide[1:]}-guided cryoneurolysis for {indication}: {pub_type.lower()}",
        f"Percutaneous cryoneurolysis of the {nerve}: outcomes at {fu}",
    ])
    return title, sections, pub_type


def pubmed_record(i: int, entrez: date) -> str:
    title, sections, pub_type = abstract(i)
    pmid = FIRST_PMID + i
    texts = "".join(f'<AbstractText Label="{label}" NlmCategory="{label}">{escape(text)}</AbstractText>'
                    if label else f"<AbstractText>{escape(text)}</AbstractText>"
                    for label, text in sections)
    return f"""<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>
<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Internet"><PubDate><Year>{entrez.year}</Year></PubDate></JournalIssue>
<Title>Journal of Synthetic Pain Medicine</Title></Journal><ArticleTitle>{escape(title)} ({i})</ArticleTitle>
<Abstract>{texts}</Abstract>
<AuthorList CompleteYN="Y"><Author ValidYN="Y"><LastName>Author{i % 97}</LastName><ForeName>Sam</ForeName><Initials>S</Initials></Author><Author ValidYN="Y"><LastName>Coauthor{i % 89}</LastName><ForeName>Lee</ForeName><Initials>L</Initials></Author></AuthorList>
<Language>eng</Language><PublicationTypeList><PublicationType UI="D016428">{escape(pub_type)}</PublicationType></PublicationTypeList>
</Article></MedlineCitation><PubmedData><History><PubMedPubDate PubStatus="entrez"><Year>{entrez.year}</Year><Month>{entrez.month}</Month><Day>{entrez.day}</Day></PubMedPubDate></History>
<PublicationStatus>ppublish</PublicationStatus><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId><ArticleId IdType="doi">10.5555/scale.{pmid}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>
"""


def preprint_record(i: int, day: date) -> dict:
    title, sections, _ = abstract(10_000_000 + i)
    return {"id": f"PPR97{i:06d}", "source": "PPR", "doi": f"10.5555/scale.ppr{i}",
            "title": f"{title} (preprint {i})",
            "abstractText": " ".join(text for _, text in sections),
            "authorString": "Author S, Coauthor L.", "language": "eng", "pubYear": str(day.year),
            "pubTypeList": {"pubType": ["Preprint"]}, "bookOrReportDetails": {"publisher": "medRxiv"},
            "firstPublicationDate": day.isoformat(), "firstIndexDate": day.isoformat(),
            "fullTextUrlList": {"fullTextUrl": []}}


def write_scale_corpus(root: Path, dated: list[tuple[int, date]], preprints: list[tuple[int, date]]) -> Path:
    """PubMed records `(index, entrez day)` and preprints `(index, index day)` under `root`."""
    for folder in ("pubmed", "europepmc", "pdfs"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for start in range(0, len(dated), 1000):
        chunk = dated[start:start + 1000]
        (root / "pubmed" / f"scale-{start:07d}.xml").write_text(
            "".join(pubmed_record(i, day) for i, day in chunk))
    for start in range(0, len(preprints), 1000):
        chunk = preprints[start:start + 1000]
        (root / "europepmc" / f"scale-{start:07d}.json").write_text(
            json.dumps([preprint_record(i, day) for i, day in chunk]))
    return root


def spread(count: int, first: date, days: int, offset: int = 0) -> list[tuple[int, date]]:
    """`count` indices from `offset`, spread evenly over `days` days from `first`."""
    return [(offset + k, first + timedelta(days=k * days // max(count, 1))) for k in range(count)]
