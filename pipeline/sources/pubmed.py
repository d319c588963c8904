"""PubMed through NCBI E-utilities: esearch with the history server, then efetch in batches.

Follows NCBI's usage guidelines (E-utilities Help, "Usage Guidelines and Requirements"): tool
and email on every request, an api_key when configured, at most 3 requests/s (10 with a key),
searches over an entrez-date window (`datetype=edat`), and `usehistory=y` so the id list stays
on NCBI's side while efetch pages through it `batch_size` (<= 200) records at a time.
Responses are parsed with Biopython's Entrez parser against its bundled DTDs.

NCBI reports many failures as HTTP 200 with an `<ERROR>` element, so bodies are read for them:
"Search Backend failed" and its kin are transient and retried like a 503; an efetch answering
"Cannot retrieve history data" means the WebEnv expired, and the search is run again rather
than retrying a dead session. PubMed pages through at most `MAX_SEARCH_IDS` ids of a search;
`plan_windows` splits a date window until each part fits.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterator

from Bio import Entrez

from pipeline.config import Settings
from pipeline.models import Article, RawRecord
from pipeline.parse import pubmed_xml
from pipeline.sources.http import PoliteClient, RetryableBody, RetryPolicy, SourceError

log = logging.getLogger(__name__)

MAX_BATCH = 200
MAX_SEARCH_IDS = 9999   # "ESearch can only retrieve the first 9,999 records matching the query"

_ERROR = re.compile(rb"<ERROR>(.*?)</ERROR>", re.S)
# Failures of NCBI's back end rather than of the request: worth a retry.
_TRANSIENT = re.compile(rb"Search Backend failed|temporarily unavailable|internal error|timed? ?out",
                        re.I)


class HistoryExpired(SourceError):
    """The history server no longer knows the search's WebEnv: search again."""


def _error_in(body: bytes) -> bytes | None:
    match = _ERROR.search(body[:8192])
    return match.group(1).strip() if match else None


@dataclass
class SearchResult:
    count: int
    webenv: str
    query_key: str


@dataclass
class Batch:
    offset: int                                   # retstart of this batch in the search
    next_offset: int
    records: list[tuple[RawRecord, Article]]
    rejects: list[tuple[str, str, str | None]]    # (reason, payload, pmid)


def _check_efetch(response, body: bytes) -> None:
    error = _error_in(body) if b"<PubmedArticleSet" not in body[:4096] else None
    if error is not None:
        text = error.decode("utf-8", "replace")
        if re.search(rb"history data|obtain query|WebEnv", error):
            raise HistoryExpired(f"PubMed history session expired: {text}")
        if _TRANSIENT.search(error):
            raise RetryableBody(f"PubMed efetch: {text}")
        raise SourceError(f"PubMed efetch refused: {text}")
    if b"<PubmedArticleSet" not in body[:4096] or not body.rstrip().endswith(b"</PubmedArticleSet>"):
        raise RetryableBody("efetch body ends before </PubmedArticleSet>")


def _check_esearch(response, body: bytes) -> None:
    if not body.rstrip().endswith(b"</eSearchResult>"):
        raise RetryableBody("esearch body ends before </eSearchResult>")
    error = _error_in(body)
    if error is not None and _TRANSIENT.search(error) and b"cannot be larger" not in error:
        raise RetryableBody(f"PubMed esearch: {error.decode('utf-8', 'replace')}")


class PubMedClient:
    def __init__(self, settings: Settings, retry: RetryPolicy | None = None, sleep=None) -> None:
        self.settings = settings
        self.base = settings.pubmed_url.rstrip("/") + "/"
        self.batch_size = min(settings.batch_size, MAX_BATCH)
        self.max_search_ids = min(settings.pubmed_max_ids, MAX_SEARCH_IDS)
        kwargs = {"sleep": sleep} if sleep else {}
        self.http = PoliteClient("PubMed", rate=settings.ncbi_requests_per_second, service="ncbi",
                                 rates_dir=settings.rates_dir,
                                 timeout=settings.http_timeout,
                                 retry=retry or RetryPolicy(attempts=settings.http_retries + 1,
                                                         base_seconds=settings.http_backoff,
                                                         max_wait=settings.http_max_wait),
                                 user_agent=f"{settings.ncbi_tool} ({settings.ncbi_email})",
                                 **kwargs)

    def close(self) -> None:
        self.http.close()

    def _params(self, **params) -> dict:
        params.update(db="pubmed", tool=self.settings.ncbi_tool, email=self.settings.ncbi_email)
        if self.settings.ncbi_api_key:
            params["api_key"] = self.settings.ncbi_api_key
        return params

    def search(self, query: str, since: date, until: date) -> SearchResult:
        """Register the search on the history server; the count of matching records."""
        params = self._params(term=query, usehistory="y", retmax="0", datetype="edat",
                              mindate=since.strftime("%Y/%m/%d"), maxdate=until.strftime("%Y/%m/%d"))
        _, body = self.http.request("GET", self.base + "esearch.fcgi", params=params,
                                    check=_check_esearch)
        try:
            result = Entrez.read(io.BytesIO(body), validate=False)
        except RuntimeError as exc:      # Entrez.read raises on <ERROR> elements
            raise SourceError(f"PubMed rejected the search: {exc}") from exc
        except Exception as exc:
            raise SourceError(f"PubMed esearch answer is not readable: {exc}") from exc
        if "WebEnv" not in result:
            raise SourceError("PubMed esearch answer has no WebEnv (history server refused)")
        return SearchResult(count=int(result["Count"]), webenv=str(result["WebEnv"]),
                            query_key=str(result["QueryKey"]))

    def count(self, query: str, since: date, until: date) -> int:
        """How many records match in the window (esearch rettype=count: no ids, no history)."""
        params = self._params(term=query, rettype="count", datetype="edat",
                              mindate=since.strftime("%Y/%m/%d"), maxdate=until.strftime("%Y/%m/%d"))
        _, body = self.http.request("GET", self.base + "esearch.fcgi", params=params,
                                    check=_check_esearch)
        try:
            return int(Entrez.read(io.BytesIO(body), validate=False)["Count"])
        except RuntimeError as exc:      # Entrez.read raises on <ERROR> elements
            raise SourceError(f"PubMed rejected the search: {exc}") from exc
        except Exception as exc:
            raise SourceError(f"PubMed esearch count is not readable: {exc}") from exc

    def ids(self, query: str, since: date, until: date, offset: int, count: int) -> list[str]:
        """The PMIDs at positions offset..offset+count of the search (the order efetch pages)."""
        params = self._params(term=query, retstart=str(offset), retmax=str(count), datetype="edat",
                              mindate=since.strftime("%Y/%m/%d"), maxdate=until.strftime("%Y/%m/%d"))
        _, body = self.http.request("GET", self.base + "esearch.fcgi", params=params,
                                    check=_check_esearch)
        try:
            return [str(i) for i in Entrez.read(io.BytesIO(body), validate=False)["IdList"]]
        except Exception as exc:
            raise SourceError(f"PubMed esearch id list is not readable: {exc}") from exc

    def fetch_ids(self, pmids: list[str]) -> tuple[list, list]:
        """Records by PMID (efetch id=...): (raw, article) pairs and rejects."""
        _, body = self.http.request("POST", self.base + "efetch.fcgi", check=_check_efetch,
                                    data=self._params(id=",".join(pmids), rettype="xml", retmode="xml"))
        return pubmed_xml.parse_efetch(body)

    def fetch(self, search: SearchResult, offset: int) -> Batch:
        """One efetch batch starting at `offset` in the search's id list."""
        params = self._params(WebEnv=search.webenv, query_key=search.query_key,
                              retstart=str(offset), retmax=str(self.batch_size),
                              rettype="xml", retmode="xml")
        _, body = self.http.request("POST", self.base + "efetch.fcgi", data=params,
                                    check=_check_efetch)
        good, bad = pubmed_xml.parse_efetch(body)
        return Batch(offset=offset, next_offset=min(offset + self.batch_size, search.count),
                     records=good, rejects=bad)

    def batches(self, search: SearchResult, query: str, since: date, until: date,
                start: int = 0) -> Iterator[Batch]:
        """The search's batches from `start` on."""
        offset = start
        while offset < search.count:
            try:
                batch = self.fetch(search, offset)
            except HistoryExpired as exc:
                # The history server forgets a WebEnv after a while; search again and go on.
                log.warning("%s; searching again", exc)
                search = self.search(query, since, until)
                batch = self.fetch(search, offset)
            yield batch
            offset = batch.next_offset

    def plan_windows(self, query: str, since: date, until: date) -> list[tuple[date, date, int]]:
        """The window cut by date into parts PubMed can page through whole: (since, until, count).

        A part whose count reaches MAX_SEARCH_IDS is halved until it fits; a single entrez day
        over the cap cannot be split and raises SourceError (narrow the query)."""
        count = self.search(query, since, until).count
        if count < self.max_search_ids:
            return [(since, until, count)]
        if since >= until:
            raise SourceError(f"PubMed holds {count} records for {since} alone; it pages through "
                              f"only the first {self.max_search_ids:,} of a search: narrow the query")
        middle = since + timedelta(days=(until - since).days // 2)
        return (self.plan_windows(query, since, middle)
                + self.plan_windows(query, middle + timedelta(days=1), until))
