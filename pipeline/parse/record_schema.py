"""Type and value checks on each record before it is staged: a schema per source.

A record the loader could not store (a number where Europe PMC sends a title, an entrez date of
30 February, a first index date of "not-a-date", a payload past the size DuckDB reads in one
JSON object) is refused here, one record at a time, with a reason a curator can read. What
passes can always be loaded: every value fits its warehouse column.
"""

from __future__ import annotations

from datetime import date

from pipeline.models import Article, RawRecord

NoneType = type(None)
_STR = (str, NoneType)

# Europe PMC `resultType=core` fields litmine reads, and the JSON types they must have.
# A dict value is a nested object's schema; a one-item list is "a list of these".
EUROPEPMC_RESULT = {
    "id": (str,),
    "source": _STR,
    "title": _STR,
    "abstractText": _STR,
    "authorString": _STR,
    "authorList": {"author": [{"fullName": _STR}]},
    "pmid": (str, int, NoneType),
    "pmcid": _STR,
    "doi": _STR,
    "pubYear": (str, int, NoneType),
    "language": _STR,
    "firstIndexDate": _STR,
    "firstPublicationDate": _STR,
    "pubTypeList": {"pubType": [(str,)]},
    "meshHeadingList": {"meshHeading": [{"descriptorName": _STR}]},
    "journalInfo": {"journal": {"title": _STR}},
    "bookOrReportDetails": {"publisher": _STR},
    "fullTextUrlList": {"fullTextUrl": [{"url": _STR, "documentStyle": _STR,
                                         "availabilityCode": _STR}]},
}


def _type_names(types: tuple) -> str:
    return " or ".join("null" if t is NoneType else {"str": "string", "int": "number",
                                                       "dict": "object"}.get(t.__name__, t.__name__)
                       for t in types)


def _check(value, schema, where: str) -> str | None:
    if value is None:
        return None   # an absent object or list is read as empty
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            return f"{where} is {type(value).__name__}, not an object"
        for key, inner in schema.items():
            reason = _check(value.get(key), inner, f"{where}.{key}")
            if reason:
                return reason
        return None
    if isinstance(schema, list):
        if not isinstance(value, list):
            return f"{where} is {type(value).__name__}, not a list"
        for i, item in enumerate(value):
            reason = _check(item, schema[0], f"{where}[{i}]")
            if reason:
                return reason
        return None
    if isinstance(value, bool) or not isinstance(value, schema):
        return f"{where} is {type(value).__name__} {str(value)[:40]!r}, not {_type_names(schema)}"
    return None


def check_europepmc_result(result) -> str | None:
    """Why a Europe PMC result object cannot be read, or None."""
    if not isinstance(result, dict):
        return f"Europe PMC result is {type(result).__name__}, not an object"
    reason = _check(result, EUROPEPMC_RESULT, "result")
    return f"wrong type in Europe PMC record: {reason}" if reason else None


def _calendar_date(value: str) -> bool:
    try:
        return len(value) == 10 and date.fromisoformat(value).year >= 1000
    except ValueError:
        return False


def check_article(raw: RawRecord, article: Article, max_bytes: int) -> str | None:
    """Why a parsed record cannot be stored as it stands, or None."""
    size = len(raw.payload.encode("utf-8"))
    if size > max_bytes:
        return f"record is {size:,} bytes, over the {max_bytes:,}-byte limit for one record"
    for name in ("title", "abstract"):
        if not isinstance(getattr(article, name), str):
            return f"{name} is {type(getattr(article, name)).__name__}, not text"
    for name in ("pmid", "doi", "preprint_id", "pmcid", "journal", "language", "pdf_url"):
        if getattr(article, name) is not None and not isinstance(getattr(article, name), str):
            return f"{name} is {type(getattr(article, name)).__name__}, not text"
    for name in ("authors", "publication_types", "mesh_terms"):
        values = getattr(article, name)
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return f"{name} is not a list of text"
    if article.pmid is not None and not article.pmid.isdigit():
        return f"PMID {article.pmid!r} is not a number"
    if article.year is not None and (not isinstance(article.year, int)
                                     or not 1000 <= article.year <= 2999):
        return f"publication year {article.year!r} is not a year"
    if article.entrez_date is not None and (not isinstance(article.entrez_date, str)
                                            or not _calendar_date(article.entrez_date)):
        return f"entrez/first index date {article.entrez_date!r} is not a calendar date"
    return None
