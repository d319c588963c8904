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
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.mirror.query import Document
from pipeline.models import ParseError
from pipeline.parse import europepmc_json, pubmed_xml

SAMPLE_CORPUS = Path(__file__).parent / "sample_corpus"


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
    for path in sorted((root / "pubmed").glob("*.xml")):
        body = path.read_bytes()
        wrapped = b"<PubmedArticleSet>" + body + b"</PubmedArticleSet>"
        for item in pubmed_xml.split_efetch(wrapped):
            if isinstance(item, ParseError):
                raise ValueError(f"{path}: {item}")
            try:
                article = pubmed_xml.parse_record(item)
            except ParseError:
                # Served as it is: a bad record in the folder is for the pipeline to quarantine.
                article = None
            corpus.pubmed[item.source_id] = PubmedEntry(
                pmid=item.source_id, xml=item.payload.encode("utf-8"),
                entrez_date=(article.entrez_date if article else None) or "1900-01-01",
                pub_year=article.year if article else None,
                document=Document(
                    title=article.title if article else "",
                    abstract=article.abstract if article else "",
                    publication_types=article.publication_types if article else [],
                    mesh_terms=article.mesh_terms if article else []))
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
