"""The folder of records a mirror serves, indexed for search.

Layout (see `sample_corpus/README.md`):

    pubmed/*.xml        one or more <PubmedArticle> elements per file, as efetch returns them
    europepmc/*.json    one Europe PMC "core" result object per file (or a list of them)
    pdfs/*.pdf          full texts that Europe PMC records link to as "{mirror}/pdfs/NAME.pdf"
    html/*.html         full-text web pages they link to as "{mirror}/html/NAME.html" (optional)

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
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
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
        return self._linked("pdfs", name)

    def html(self, name: str) -> Path | None:
        return self._linked("html", name)

    def _linked(self, folder: str, name: str) -> Path | None:
        path = (self.root / folder / name).resolve()
        if path.parent != (self.root / folder).resolve() or not path.is_file():
            return None
        return path


def load_corpus(root: Path = SAMPLE_CORPUS) -> Corpus:
    root = Path(root)
    corpus = Corpus(root=root)
    good, bad = [], []
    for body in _chunks(sorted((root / "pubmed").glob("*.xml"))):
        parsed, rejected = pubmed_xml.parse_efetch(b"<PubmedArticleSet>" + body + b"</PubmedArticleSet>")
        good += parsed
        bad += rejected
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
            corpus.europepmc.append(_preprint_entry(result))
    return corpus


def _chunks(paths: list[Path], limit: int = 8 * 1024 * 1024):
    """The files' contents joined into documents of about `limit` bytes: parsed in one pass each
    (the DTD is read once per document), a corpus of 100k records never in memory at once."""
    parts, size = [], 0
    for path in paths:
        data = path.read_bytes()
        parts.append(data)
        size += len(data)
        if size >= limit:
            yield b"".join(parts)
            parts, size = [], 0
    if parts:
        yield b"".join(parts)


def _preprint_entry(result: dict) -> PreprintEntry:
    """Indexed through the pipeline's parser; a record it cannot read (wrong-typed fields) is
    still served as it is, indexed by its raw text, for the pipeline to quarantine."""
    try:
        article = europepmc_json.parse_record(europepmc_json.raw_record(result))
        document = dict(title=article.title, abstract=article.abstract,
                        publication_types=article.publication_types, mesh_terms=article.mesh_terms)
    except Exception:
        document = dict(title=_TAG.sub(" ", json.dumps(result, ensure_ascii=False)))
    pub_types = (result.get("pubTypeList") or {}).get("pubType", []) \
        if isinstance(result.get("pubTypeList"), dict) else []
    published = str(result.get("firstPublicationDate", ""))
    indexed = str(result.get("firstIndexDate", ""))
    fields = {
        "SRC": str(result.get("source", "")),
        "PUB_TYPE": "|".join(str(t) for t in pub_types),
        "LANG": str(result.get("language", "")),
        "FIRST_PDATE": published,
        # The search index holds the day the record was indexed even when the returned field
        # is garbled; the mirror falls back to the publication date for such a record.
        "FIRST_IDATE": indexed if _ISO_DATE.fullmatch(indexed) else published,
    }
    return PreprintEntry(result=result, document=Document(**document, fields=fields))
