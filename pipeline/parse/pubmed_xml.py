"""PubMed XML (efetch db=pubmed rettype=xml) to `RawRecord`s and `Article`s.

An efetch response is split into one `<PubmedArticle>` element per record, so that the raw layer
keeps each record exactly as received and one malformed record is quarantined without losing
its neighbours. Each element is parsed with Biopython's Entrez parser against the DTDs it
bundles; a response naming a DTD Biopython does not ship is read against the newest bundled
PubMed DTD instead, because the parser would otherwise download the DTD (no network here, and
none wanted in a parser).
"""

from __future__ import annotations

import io
import os
import re
from functools import lru_cache

from Bio import Entrez
from Bio.Entrez.Parser import DataHandler

from pipeline.models import Article, ParseError, RawRecord, utc_now
from pipeline.parse.inline_markup import normalise_markup

_RECORD = re.compile(rb"<(PubmedArticle|PubmedBookArticle)\b.*?</\1>", re.S)
_DOCTYPE = re.compile(rb"<!DOCTYPE\s+PubmedArticleSet\b[^>]*>", re.S)
_SYSTEM_ID = re.compile(rb'"([^"]+\.dtd)"\s*>$')
_PMID = re.compile(rb"<PMID[^>]*>\s*(\d+)\s*</PMID>")
_ROOT_END = re.compile(rb"</PubmedArticleSet>\s*$")

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


class TruncatedResponse(ValueError):
    """The body ended before its closing root element: a transport fault, worth a retry."""


@lru_cache(maxsize=1)
def newest_bundled_doctype() -> bytes:
    names = sorted(n for n in os.listdir(DataHandler.global_dtd_dir)
                   if re.fullmatch(r"pubmed_\d{6}\.dtd", n))
    if not names:
        raise RuntimeError("Biopython ships no PubMed DTD; cannot parse PubMed XML offline")
    return (b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle//EN" '
            b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/' + names[-1].encode() + b'">')


def _bundled(dtd_name: str) -> bool:
    dirs = [DataHandler.global_dtd_dir, DataHandler.local_dtd_dir]
    return any(d and os.path.exists(os.path.join(d, dtd_name)) for d in dirs)


def _doctype(body: bytes) -> bytes:
    match = _DOCTYPE.search(body[:2048])
    if match:
        system_id = _SYSTEM_ID.search(match.group(0))
        if system_id and _bundled(os.path.basename(system_id.group(1).decode())):
            return match.group(0)
    return newest_bundled_doctype()


def split_efetch(body: bytes, fetched_at: str | None = None) -> list[RawRecord | ParseError]:
    """Cut an efetch body into raw records. Raises TruncatedResponse for a cut-off body.

    A record element without a readable PMID comes back as a ParseError in its place.
    """
    if not _ROOT_END.search(body[-256:]):
        raise TruncatedResponse("PubMed response ends before </PubmedArticleSet>")
    fetched_at = fetched_at or utc_now().isoformat()
    out: list[RawRecord | ParseError] = []
    for match in _RECORD.finditer(body):
        element = match.group(0)
        pmid = _PMID.search(element)
        text = element.decode("utf-8", errors="replace")
        if not pmid:
            error = ParseError("record has no PMID")
            error.payload = text  # type: ignore[attr-defined]
            out.append(error)
            continue
        out.append(RawRecord(source="pubmed", source_id=pmid.group(1).decode(), payload=text,
                             content_type="application/xml", fetched_at=fetched_at))
    return out


def parse_record(raw: RawRecord, doctype: bytes | None = None) -> Article:
    """One `<PubmedArticle>` element to an Article; ParseError says why it cannot be one."""
    if raw.payload.lstrip().startswith("<PubmedBookArticle"):
        raise ParseError("PubMed book records (PubmedBookArticle) are not harvested")
    document = (b'<?xml version="1.0" ?>\n' + (doctype or newest_bundled_doctype())
                + b"\n<PubmedArticleSet>" + raw.payload.encode("utf-8") + b"</PubmedArticleSet>")
    try:
        parsed = Entrez.read(io.BytesIO(document), validate=False)
    except Exception as exc:  # expat and Entrez raise a zoo of types for bad XML
        raise ParseError(f"malformed PubMed XML: {exc}") from exc
    records = parsed.get("PubmedArticle", [])
    if len(records) != 1:
        raise ParseError("expected exactly one PubmedArticle element")
    return _article(records[0], raw)


def _article(record: dict, raw: RawRecord) -> Article:
    citation = record.get("MedlineCitation", {})
    article = citation.get("Article", {})
    pmid = str(citation.get("PMID", "")).strip()
    if not pmid.isdigit():
        raise ParseError(f"PMID {pmid!r} is not a number")
    title = _text(article.get("ArticleTitle", "")) or _text(article.get("VernacularTitle", ""))
    sections = [{"label": str(part.attributes.get("Label", "")) if hasattr(part, "attributes") else "",
                 "text": _text(part)}
                for part in article.get("Abstract", {}).get("AbstractText", [])]
    abstract = "\n".join(f"{s['label']}: {s['text']}" if s["label"] else s["text"] for s in sections)
    if not title and not abstract:
        raise ParseError(f"PMID {pmid} has neither a title nor an abstract")
    ids = {str(i.attributes.get("IdType")): str(i)
           for i in record.get("PubmedData", {}).get("ArticleIdList", [])}
    doi = ids.get("doi") or next(
        (str(e) for e in article.get("ELocationID", []) if e.attributes.get("EIdType") == "doi"), None)
    journal = article.get("Journal", {})
    return Article(
        source="pubmed", source_id=pmid, pmid=pmid, doi=doi.strip() if doi else None,
        pmcid=ids.get("pmc"), title=title, abstract=abstract, abstract_sections=sections,
        journal=_text(journal.get("Title", "")) or None,
        year=_year(journal.get("JournalIssue", {}).get("PubDate", {}), article),
        language=(article.get("Language") or [None])[0],
        authors=[_author(a) for a in article.get("AuthorList", []) if _author(a)],
        publication_types=[str(p) for p in article.get("PublicationTypeList", [])],
        mesh_terms=[str(m.get("DescriptorName", "")) for m in citation.get("MeshHeadingList", [])],
        entrez_date=_entrez_date(record), raw_hash=raw.hash,
    )


def _text(value) -> str:
    # Biopython keeps inline markup as literal text ("I<sup>2</sup>"): rendered like every source's.
    return re.sub(r"\s+", " ", normalise_markup(str(value))).strip()


def _author(author: dict) -> str | None:
    if author.get("CollectiveName"):
        return _text(author["CollectiveName"])
    last, initials = author.get("LastName"), author.get("Initials") or author.get("ForeName")
    # A mononymous author has a LastName only: "Chintamani", not "Chintamani None".
    return " ".join(_text(part) for part in (last, initials) if part) if last else None


def _year(pub_date: dict, article: dict) -> int | None:
    candidates = [pub_date.get("Year"), pub_date.get("MedlineDate")]
    candidates += [d.get("Year") for d in article.get("ArticleDate", [])]
    for value in candidates:
        match = re.search(r"(1[89]|20)\d\d", str(value or ""))
        if match:
            return int(match.group(0))
    return None


def _entrez_date(record: dict) -> str | None:
    for entry in record.get("PubmedData", {}).get("History", []):
        if entry.attributes.get("PubStatus") == "entrez":
            try:
                month = entry.get("Month", "1")
                month = MONTHS.get(str(month).lower()[:3]) or int(month)
                return f"{int(entry['Year']):04d}-{int(month):02d}-{int(entry.get('Day', 1)):02d}"
            except (KeyError, ValueError):
                return None
    return None


def parse_efetch(body: bytes) -> tuple[list[tuple[RawRecord, Article]], list[tuple[str, str, str | None]]]:
    """A whole efetch body: (raw, article) pairs and (reason, payload, pmid) rejects.

    The body is parsed in one pass (Biopython reads the DTD once per document, which dominates
    the cost of a record); only when that fails is each record parsed alone, so one malformed
    record costs its batch some speed, never its neighbours.
    """
    doctype = _doctype(body)
    items = split_efetch(body)
    # Book records are refused on sight: in the one-pass document they would send the whole
    # batch down the slow record-at-a-time path.
    books = [item for item in items if isinstance(item, RawRecord)
             and item.payload.lstrip().startswith("<PubmedBookArticle")]
    raws = [item for item in items if isinstance(item, RawRecord) and item not in books]
    bad = [(str(item), getattr(item, "payload", ""), None) for item in items
           if isinstance(item, ParseError)]
    bad += [("PubMed book records (PubmedBookArticle) are not harvested", raw.payload, raw.source_id)
            for raw in books]
    parsed = None
    if not any(source_id is None for _, _, source_id in bad):
        document = (b'<?xml version="1.0" ?>\n' + doctype + b"\n<PubmedArticleSet>"
                    + "".join(raw.payload for raw in raws).encode("utf-8") + b"</PubmedArticleSet>")
        try:
            result = Entrez.read(io.BytesIO(document), validate=False)
            parsed = list(result.get("PubmedArticle", [])) + list(result.get("PubmedBookArticle", []))
        except Exception:
            parsed = None
    good = []
    if parsed is not None and len(parsed) == len(raws):
        for raw, record in zip(raws, parsed):
            try:
                good.append((raw, _article(record, raw)))
            except Exception as exc:
                bad.append((_reason(exc), raw.payload, raw.source_id))
        return good, bad
    for raw in raws:
        try:
            good.append((raw, parse_record(raw, doctype)))
        except Exception as exc:
            bad.append((_reason(exc), raw.payload, raw.source_id))
    return good, bad


def _reason(exc: Exception) -> str:
    return str(exc) if isinstance(exc, ParseError) else f"unreadable PubMed record: {type(exc).__name__}: {exc}"
