"""E-utilities esearch and efetch for db=pubmed, answered from the mirror's corpus.

Responses follow NCBI's: esearch XML (eSearchResult, with WebEnv/QueryKey when usehistory=y,
ERROR elements for bad requests) and efetch PubmedArticleSet XML with the DOCTYPE NCBI sends.
Ids come back newest first (by PMID), as PubMed's default sort does for a date-bounded search.

Parameter names arrive lower-cased (the server folds them: NCBI accepts `WebEnv=` and `webenv=`).
Failure shapes are NCBI's, not HTTP's: a search that matches more than `state.max_search_ids`
(9,999 for PubMed) still reports the full Count, but only the first ids can be paged or fetched
through the history server, and a retstart past them is an `<ERROR>`; an unknown or expired WebEnv
is HTTP 200 with `<eFetchResult><ERROR>Cannot retrieve history data...`; a backend hiccup is
HTTP 200 with `<ERROR>Search Backend failed: ...`.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from pipeline.mirror.query import QueryError, compile_query

ESEARCH_DOCTYPE = ('<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
                   '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">')
PUBMED_DOCTYPE = ('<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
                  '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">')
XML = "text/xml; charset=UTF-8"


def _date(value: str, end: bool) -> str:
    """E-utilities dates are YYYY, YYYY/MM or YYYY/MM/DD; compare as YYYY-MM-DD."""
    parts = re.split(r"[/\-.]", value.strip())
    if not parts or not all(p.isdigit() for p in parts) or len(parts) > 3 or len(parts[0]) != 4:
        raise ValueError(f"invalid date {value!r}")
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 else (12 if end else 1)
    day = int(parts[2]) if len(parts) > 2 else (31 if end else 1)
    return f"{year:04d}-{month:02d}-{day:02d}"


EFETCH_DOCTYPE = ('<!DOCTYPE eFetchResult PUBLIC "-//NLM//DTD efetch 20131226//EN" '
                  '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20131226/efetch.dtd">')
BACKEND_FAILED = "Search Backend failed: Exception:\n'An error occurred on the search server'"


def fetch_error(message: str) -> tuple[int, bytes, str]:
    """The shape NCBI answers a failed efetch with: HTTP 200 and an eFetchResult ERROR."""
    body = (f'<?xml version="1.0" encoding="UTF-8" ?>\n{EFETCH_DOCTYPE}\n<eFetchResult>\n'
            f"\t<ERROR>{escape(message)}</ERROR>\n</eFetchResult>\n")
    return 200, body.encode(), XML


def search_error(message: str) -> tuple[int, bytes, str]:
    body = (f'<?xml version="1.0" encoding="UTF-8" ?>\n{ESEARCH_DOCTYPE}\n<eSearchResult>'
            f"<ERROR>{escape(message)}</ERROR></eSearchResult>\n")
    return 200, body.encode(), XML


def _matching_ids(state, params: dict) -> list[str]:
    predicate = compile_query(params.get("term", ""))
    mindate, maxdate = params.get("mindate"), params.get("maxdate")
    if bool(mindate) != bool(maxdate):
        raise ValueError("mindate and maxdate must be given together")
    datetype = params.get("datetype", "pdat")
    low = _date(mindate, end=False) if mindate else None
    high = _date(maxdate, end=True) if maxdate else None
    ids = []
    for pmid, entry in state.corpus.pubmed.items():
        if low:
            if datetype == "edat":
                when = entry.entrez_date
            elif datetype == "pdat":
                when = f"{entry.pub_year or 1900:04d}-06-15"
            else:
                raise ValueError(f"datetype {datetype!r} is not supported by the mirror")
            if not (low <= when <= high):
                continue
        if predicate(entry.document):
            ids.append(pmid)
    return sorted(ids, key=int, reverse=True)


def esearch(state, params: dict) -> tuple[int, bytes, str]:
    if params.get("db", "pubmed") != "pubmed":
        return search_error(f"Invalid db name specified: {params.get('db')}")
    if not params.get("term"):
        return search_error("Empty term and query_key - nothing todo")
    try:
        ids = _matching_ids(state, params)
        retstart = int(params.get("retstart", 0))
        retmax = int(params.get("retmax", 20))
    except (QueryError, ValueError) as exc:
        return search_error(str(exc))
    if retmax > 10000:
        return search_error("retmax must not exceed 10000")
    if params.get("rettype") == "count":   # NCBI answers with the Count element alone
        body = (f'<?xml version="1.0" encoding="UTF-8" ?>\n{ESEARCH_DOCTYPE}\n<eSearchResult>'
                f"<Count>{len(ids)}</Count></eSearchResult>\n")
        return 200, body.encode(), XML
    reachable = ids[:state.max_search_ids]
    if retstart >= state.max_search_ids and ids:
        return search_error(f"Search Backend failed: Exception:\n'retstart' cannot be larger than "
                      f"{state.max_search_ids - 1}. For PubMed, ESearch can only retrieve the first "
                      f"{state.max_search_ids:,} records matching the query. To obtain more than "
                      f"{state.max_search_ids:,} PubMed records, consider using EDirect")
    page = reachable[retstart:retstart + retmax]
    history = ""
    if params.get("usehistory", "").lower() == "y":
        history = f"<QueryKey>1</QueryKey><WebEnv>{state.new_webenv(reachable)}</WebEnv>"
    id_list = "".join(f"<Id>{pmid}</Id>" for pmid in page)
    body = (f'<?xml version="1.0" encoding="UTF-8" ?>\n{ESEARCH_DOCTYPE}\n<eSearchResult>'
            f"<Count>{len(ids)}</Count><RetMax>{len(page)}</RetMax><RetStart>{retstart}</RetStart>"
            f"{history}<IdList>{id_list}</IdList><TranslationSet/>"
            f"<QueryTranslation>{escape(params['term'])}</QueryTranslation></eSearchResult>\n")
    return 200, body.encode(), XML


def efetch(state, params: dict, malformed: bool = False, short: bool = False) -> tuple[int, bytes, str]:
    """`short`: leave one record out, as NCBI's efetch now and then returns fewer than asked."""
    if params.get("db") != "pubmed":
        return 400, b"efetch: db=pubmed is the only database the mirror serves", "text/plain"
    if params.get("id"):
        ids = [i.strip() for i in params["id"].split(",") if i.strip()]
    elif params.get("webenv"):
        history = state.history.get(params["webenv"])
        start, retmax = int(params.get("retstart", 0)), int(params.get("retmax", 20))
        if history is None or params.get("query_key", "1") != "1":
            return fetch_error(f"Cannot retrieve history data. query_key: {params.get('query_key')}, "
                               f"WebEnv: {params['webenv']}, retstart: {start}, retmax: {retmax}")
        ids = history[start:start + retmax]
    else:
        return 400, b"efetch needs id= or WebEnv= with query_key=", "text/plain"
    records = [state.corpus.pubmed[i].xml.decode() for i in ids if i in state.corpus.pubmed]
    if short and records:
        records.pop(len(records) // 2)
    if malformed and records:   # one record arrives broken, as a corrupted record does
        middle = len(records) // 2
        records[middle] = records[middle].replace("</ArticleTitle>", "<i></ArticleTitle>", 1)
    body = (f'<?xml version="1.0" ?>\n{PUBMED_DOCTYPE}\n<PubmedArticleSet>\n'
            + "\n".join(records) + "\n</PubmedArticleSet>\n")
    return 200, body.encode("utf-8"), XML
