"""The folder of records a mirror serves, indexed for search.

Layout (see `sample_corpus/README.md`):

    pubmed/*.xml        one or more <PubmedArticle> elements per file, as efetch returns them
    europepmc/*.json    one Europe PMC "core" result object per file (or a list of them)
    pdfs/*.pdf          full texts that Europe PMC records link to as "{mirror}/pdfs/NAME.pdf"

Records are indexed through the same parsers the pipeline uses, so the mirror searches exactly
the title, abstract, publication types and MeSH terms a real client would later read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.mirror.query import Document
from pipeline.parse import europepmc_json, pubmed_xml

SAMPLE_CORPUS = Path(__file__).parent / "sample_corpus"
_TAG = re.compile(r"<[^>]+>")
_ENTREZ = re.compile(r'PubStatus="entrez">\s*<Year>(\d{4})</Year>\s*<Month>(\d{1,2})</Month>\s*'
                     r"<Day>(\d{1,2})</Day>")


def _raw_entrez_date(xml: str) -> str:
    """The entrez date of a record the parser rejects, read straight from its text."""
    match = _ENTREZ.search(xml)
    if not match:
        return "1900-01-01"
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


@dataclass
class PubmedEntry:
    pmid: str
    xml: bytes
    entrez_date: str           # YYYY-MM-DD
    pub_year: int | None
    document: Document


@dataclass
class PreprintEntry:
    result: dict
    document: Document


@dataclass
class Corpus:
    root: Path
    pubmed: dict[str, PubmedEntry] = field(default_factory=dict)
    europepmc: list[PreprintEntry] = field(default_factory=list)

    def pdf(self, name: str) -> Path | None:
        path = (self.root / "pdfs" / name).resolve()
        pdf_dir = (self.root / "pdfs").resolve()
        if path.parent != pdf_dir or not path.is_file():
            return None
        return path


def load_corpus(root: Path = SAMPLE_CORPUS) -> Corpus:
    root = Path(root)
    corpus = Corpus(root=root)
    body = b"".join(path.read_bytes() for path in sorted((root / "pubmed").glob("*.xml")))
    good, bad = pubmed_xml.parse_efetch(b"<PubmedArticleSet>" + body + b"</PubmedArticleSet>")
    for raw, article in good:
        corpus.pubmed[raw.source_id] = PubmedEntry(
            pmid=raw.source_id, xml=raw.payload.encode("utf-8"),
            entrez_date=article.entrez_date or "1900-01-01", pub_year=article.year,
            document=Document(title=article.title, abstract=article.abstract,
                              publication_types=article.publication_types,
                              mesh_terms=article.mesh_terms))
    for reason, payload, pmid in bad:
        if pmid is None:
            raise ValueError(f"{root / 'pubmed'}: a record without a PMID cannot be served: {reason}")
        # Served as it is: a bad record in the folder is for the pipeline to quarantine.
        corpus.pubmed[pmid] = PubmedEntry(pmid=pmid, xml=payload.encode("utf-8"),
                                          entrez_date=_raw_entrez_date(payload), pub_year=None,
                                          document=Document(title=_TAG.sub(" ", payload)))
    for path in sorted((root / "europepmc").glob("*.json")):
        data = json.loads(path.read_text())
        for result in data if isinstance(data, list) else [data]:
            raw = europepmc_json.raw_record(result)
            article = europepmc_json.parse_record(raw)
            fields = {
                "SRC": str(result.get("source", "")),
                "PUB_TYPE": "|".join((result.get("pubTypeList") or {}).get("pubType", [])),
                "LANG": str(result.get("language", "")),
                "FIRST_PDATE": str(result.get("firstPublicationDate", "")),
                "FIRST_IDATE": str(result.get("firstIndexDate", "")),
            }
            corpus.europepmc.append(PreprintEntry(result=result, document=Document(
                title=article.title, abstract=article.abstract,
                publication_types=article.publication_types, mesh_terms=article.mesh_terms,
                fields=fields)))
    return corpus
