"""Europe PMC REST search results (resultType=core, format=json) to `RawRecord`s and `Article`s.

The raw layer keeps each result object in a canonical JSON serialisation (keys as received,
compact separators): a JSON array cannot be sliced back into its original bytes, and a
canonical form makes the content hash stable across fetches of an unchanged record.
"""

from __future__ import annotations

import html
import json
import re

from pipeline.models import Article, ParseError, RawRecord, utc_now
from pipeline.parse.inline_markup import normalise_markup

_TAG = re.compile(r"<[^>]+>")
_HEADING = re.compile(r"<h\d>\s*([^<]{1,60}?)\s*:?\s*</h\d>", re.I)


def raw_record(result: dict, fetched_at: str | None = None) -> RawRecord:
    source_id = str(result.get("id") or "").strip()
    if not source_id:
        raise ParseError("Europe PMC result has no id")
    payload = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
    return RawRecord(source="europepmc", source_id=source_id, payload=payload,
                     content_type="application/json",
                     fetched_at=fetched_at or utc_now().isoformat())


def parse_record(raw: RawRecord) -> Article:
    try:
        result = json.loads(raw.payload)
    except json.JSONDecodeError as exc:
        raise ParseError(f"malformed Europe PMC JSON: {exc}") from exc
    if not isinstance(result, dict):
        raise ParseError("Europe PMC result is not a JSON object")
    title = _clean(result.get("title") or "")
    abstract = _abstract(result.get("abstractText") or "")
    if not title and not abstract:
        raise ParseError(f"{raw.source_id} has neither a title nor an abstract")
    source = str(result.get("source") or "")
    authors = [a.get("fullName") for a in (result.get("authorList") or {}).get("author", [])
               if a.get("fullName")]
    if not authors and result.get("authorString"):
        authors = [a.strip() for a in str(result["authorString"]).rstrip(".").split(",") if a.strip()]
    year = result.get("pubYear")
    return Article(
        source="europepmc", source_id=raw.source_id, title=title, abstract=abstract,
        pmid=str(result["pmid"]) if result.get("pmid") else None,
        doi=(result.get("doi") or None), pmcid=result.get("pmcid"),
        preprint_id=raw.source_id if source == "PPR" else None,
        journal=(result.get("bookOrReportDetails") or {}).get("publisher")
        or (result.get("journalInfo") or {}).get("journal", {}).get("title"),
        year=int(year) if str(year or "").isdigit() else None,
        language=result.get("language"),
        authors=authors,
        publication_types=list((result.get("pubTypeList") or {}).get("pubType", [])),
        mesh_terms=[m.get("descriptorName") for m in
                    (result.get("meshHeadingList") or {}).get("meshHeading", [])
                    if m.get("descriptorName")],
        entrez_date=result.get("firstIndexDate") or result.get("firstPublicationDate"),
        pdf_url=pdf_url(result), raw_hash=raw.hash,
    )


def pdf_url(result: dict) -> str | None:
    """The first free PDF link, if the record offers one."""
    return _free_link(result, "pdf")


def html_url(result: dict) -> str | None:
    """The first free full-text web page the record links (most preprints link one)."""
    return _free_link(result, "html")


def holds_full_text(result: dict) -> bool | None:
    """Whether Europe PMC said, when the record was fetched, that it holds the full text
    (`inEPMC`); None for a record that does not say (an older or a `lite` result)."""
    flag = result.get("inEPMC")
    return {"Y": True, "N": False}.get(flag.strip().upper()) if isinstance(flag, str) else None


def _free_link(result: dict, style: str) -> str | None:
    for link in (result.get("fullTextUrlList") or {}).get("fullTextUrl", []):
        if link.get("documentStyle") == style and link.get("availabilityCode") in ("F", "OA", None):
            return link.get("url")
    return None


def _clean(text: str) -> str:
    text = normalise_markup(text)    # italic, sub/superscript, MathML: as for every source
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", text))).strip()


def _abstract(text: str) -> str:
    # Europe PMC marks abstract sections with <h4>Background</h4>; keep them as "Background:".
    text = _HEADING.sub(lambda m: f"\n{m.group(1).strip()}: ", text)
    lines = [_clean(line) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)
