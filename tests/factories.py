"""Synthetic mirror corpora of any size, for tests that need more records than the sample has.

Records are generated from a template in NCBI's PubMed XML and Europe PMC JSON shapes; their
text varies with the index so that every record has its own content hash.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

DESIGNS = [
    ("Randomized Controlled Trial", "In this randomized sham-controlled trial, {n} patients were allocated"),
    ("Journal Article", "We retrospectively reviewed {n} consecutive patients"),
    ("Case Reports", "We describe a patient"),
]


def pubmed_xml(pmid: int, entrez: date, title: str, abstract: str,
               publication_type: str = "Journal Article", language: str = "eng",
               doi: str | None = None) -> str:
    doi = doi or f"10.5555/synthetic.{pmid}"
    return f"""<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>
<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Internet"><PubDate><Year>{entrez.year}</Year></PubDate></JournalIssue>
<Title>Synthetic Journal of Test Records</Title></Journal><ArticleTitle>{escape(title)}</ArticleTitle>
<Abstract><AbstractText Label="METHODS" NlmCategory="METHODS">{escape(abstract)}</AbstractText></Abstract>
<AuthorList CompleteYN="Y"><Author ValidYN="Y"><LastName>Tester</LastName><ForeName>Ada</ForeName><Initials>A</Initials></Author></AuthorList>
<Language>{language}</Language><PublicationTypeList><PublicationType UI="D016428">{escape(publication_type)}</PublicationType></PublicationTypeList>
</Article></MedlineCitation><PubmedData><History><PubMedPubDate PubStatus="entrez"><Year>{entrez.year}</Year><Month>{entrez.month}</Month><Day>{entrez.day}</Day></PubMedPubDate></History>
<PublicationStatus>ppublish</PublicationStatus><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId><ArticleId IdType="doi">{doi}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>"""


def write_corpus(root: Path, pubmed: int = 0, preprints: int = 0, start: date = date(2024, 1, 1),
                 per_day: int = 5) -> Path:
    """`pubmed` PubMed records and `preprints` Europe PMC records, `per_day` per entrez day."""
    (root / "pubmed").mkdir(parents=True, exist_ok=True)
    (root / "europepmc").mkdir(parents=True, exist_ok=True)
    (root / "pdfs").mkdir(parents=True, exist_ok=True)
    for i in range(pubmed):
        pub_type, opening = DESIGNS[i % len(DESIGNS)]
        day = start + timedelta(days=i // per_day)
        abstract = (f"{opening.format(n=20 + i)} to cryoneurolysis of the genicular nerves for knee "
                    f"pain. Pain scores improved at 12 weeks (record {i}).")
        xml = pubmed_xml(980000000 + i, day, f"Cryoneurolysis for knee pain: synthetic study {i}",
                         abstract, pub_type)
        (root / "pubmed" / f"{980000000 + i}.xml").write_text(xml)
    for i in range(preprints):
        day = start + timedelta(days=i // per_day)
        result = {
            "id": f"PPR98{i:04d}", "source": "PPR", "doi": f"10.5555/synthetic.ppr{i}",
            "title": f"Ultrasound-guided cryoneurolysis for chronic pain: synthetic preprint {i}",
            "abstractText": f"Background: nerve pain. Methods: {30 + i} patients. Results: pain improved.",
            "authorString": "Tester A, Probe B.", "language": "eng", "pubYear": str(day.year),
            "pubTypeList": {"pubType": ["Preprint"]},
            "bookOrReportDetails": {"publisher": "medRxiv"},
            "firstPublicationDate": day.isoformat(), "firstIndexDate": day.isoformat(),
            "fullTextUrlList": {"fullTextUrl": []},
        }
        (root / "europepmc" / f"PPR98{i:04d}.json").write_text(json.dumps(result))
    return root
