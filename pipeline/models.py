"""The records that move between stages: what a source fetched, and the article parsed from it.

These are plain dataclasses with `to_dict`/`from_dict` so a stage can write them as JSON lines
and the next stage (possibly another process or Airflow worker) can read them back.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone

SOURCES = ("pubmed", "europepmc")


def content_hash(payload: str | bytes) -> str:
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    return hashlib.sha256(data).hexdigest()


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


@dataclass
class RawRecord:
    """Exactly what a source returned for one record, before any interpretation."""

    source: str                # "pubmed" | "europepmc"
    source_id: str             # PMID, or Europe PMC id (e.g. PPR123456)
    payload: str               # the XML element or JSON object as received
    content_type: str          # "application/xml" | "application/json"
    fetched_at: str            # ISO 8601, UTC
    hash: str = ""

    def __post_init__(self) -> None:
        if not self.hash:
            self.hash = content_hash(self.payload)


@dataclass
class Article:
    """One work as the warehouse's `core.articles` holds it."""

    source: str
    source_id: str
    title: str
    abstract: str = ""
    pmid: str | None = None
    doi: str | None = None
    preprint_id: str | None = None
    pmcid: str | None = None
    journal: str | None = None
    year: int | None = None
    language: str | None = None
    authors: list[str] = field(default_factory=list)
    publication_types: list[str] = field(default_factory=list)
    mesh_terms: list[str] = field(default_factory=list)
    # Abstract sections as labelled by the source ("BACKGROUND", "METHODS", ...), in order.
    abstract_sections: list[dict] = field(default_factory=list)
    entrez_date: str | None = None      # YYYY-MM-DD: PubMed's EDAT / Europe PMC first index date
    pdf_url: str | None = None
    raw_hash: str = ""

    @property
    def work_keys(self) -> list[tuple[str, str]]:
        """Identifiers by which this work may already be known, strongest first."""
        keys = []
        if self.pmid:
            keys.append(("pmid", self.pmid))
        if self.doi:
            keys.append(("doi", self.doi.lower()))
        if self.preprint_id:
            keys.append(("preprint_id", self.preprint_id))
        return keys

    @property
    def record_id(self) -> str:
        """The id this article goes by in extraction input and output (`litmine extract`)."""
        return f"{self.source}:{self.source_id}"

    @property
    def first_author(self) -> str | None:
        return self.authors[0] if self.authors else None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Article":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def extraction_input(self) -> dict:
        """The record shape `litmine extract` takes (see DESIGN.md, Contracts)."""
        return {"id": self.record_id,
                "title": self.title, "abstract": self.abstract,
                "publication_types": list(self.publication_types)}


@dataclass
class Quarantined:
    """Something a stage could not accept: kept with the reason, never dropped."""

    source: str
    stage: str                  # "harvest" | "parse" | "extract" | "load" | "pdf"
    reason: str
    payload: str
    source_id: str | None = None
    hash: str = ""

    def __post_init__(self) -> None:
        if not self.hash:
            self.hash = content_hash(f"{self.stage}\0{self.reason}\0{self.payload}")


class ParseError(ValueError):
    """A record that cannot become an Article; the message is the quarantine reason."""
