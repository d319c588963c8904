"""Preprints through the Europe PMC REST API: `search` over SRC:PPR with cursorMark paging.

The window is the first index date (FIRST_IDATE), the Europe PMC counterpart of PubMed's entrez
date: a preprint indexed late is still picked up by the night after it appears. Paging follows
the API's cursorMark protocol: start at "*", pass back each nextCursorMark, stop when a page is
empty or the cursor stops moving.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from pipeline.config import Settings
from pipeline.models import Article, ParseError, RawRecord
from pipeline.parse import europepmc_json, record_schema
from pipeline.sources.http import PoliteClient, RetryableBody, RetryPolicy, SourceError

PAGE_SIZE = 100
# Europe PMC asks for no more than 10 requests/s; stay well under it.
RATE = 5.0


@dataclass
class Page:
    cursor: str
    next_cursor: str
    hit_count: int
    records: list[tuple[RawRecord, Article]]
    rejects: list[tuple[str, str, str | None]]


def _check_json(response, body: bytes) -> None:
    try:
        json.loads(body)
    except ValueError as exc:
        raise RetryableBody(f"Europe PMC answer is not complete JSON: {exc}") from exc


def preprint_query(query: str, since: date, until: date) -> str:
    return f"({query}) AND SRC:PPR AND FIRST_IDATE:[{since.isoformat()} TO {until.isoformat()}]"


class EuropePMCClient:
    def __init__(self, settings: Settings, retry: RetryPolicy | None = None, sleep=None) -> None:
        self.settings = settings
        self.base = settings.europepmc_url.rstrip("/") + "/"
        kwargs = {"sleep": sleep} if sleep else {}
        self.http = PoliteClient("Europe PMC", rate=RATE, service="europepmc",
                                 rates_dir=settings.rates_dir,
                                 timeout=settings.http_timeout,
                                 retry=retry or RetryPolicy(attempts=settings.http_retries + 1,
                                                         base_seconds=settings.http_backoff,
                                                         max_wait=settings.http_max_wait),
                                 user_agent=f"{settings.ncbi_tool} ({settings.ncbi_email})",
                                 **kwargs)

    def close(self) -> None:
        self.http.close()

    def count(self, query: str, since: date, until: date) -> int:
        """How many preprints match in the window (hitCount of a one-result id-list page)."""
        params = {"query": preprint_query(query, since, until), "resultType": "idlist",
                  "format": "json", "pageSize": "1", "cursorMark": "*",
                  "email": self.settings.ncbi_email}
        _, body = self.http.request("GET", self.base + "search", params=params, check=_check_json)
        data = json.loads(body)
        if not isinstance(data, dict) or "hitCount" not in data:
            raise SourceError(f"Europe PMC answer has no hitCount: {body[:200]!r}")
        return int(data["hitCount"])

    def page(self, query: str, since: date, until: date, cursor: str = "*") -> Page:
        params = {"query": preprint_query(query, since, until), "resultType": "core",
                  "format": "json", "pageSize": str(PAGE_SIZE), "cursorMark": cursor,
                  "email": self.settings.ncbi_email}
        _, body = self.http.request("GET", self.base + "search", params=params, check=_check_json)
        data = json.loads(body)
        if "resultList" not in data:
            raise SourceError(f"Europe PMC answer has no resultList: {body[:200]!r}")
        records, rejects = [], []
        for result in data["resultList"].get("result", []):
            source_id = result.get("id") if isinstance(result, dict) else None
            source_id = str(source_id) if isinstance(source_id, (str, int)) else None
            try:
                reason = record_schema.check_europepmc_result(result)
                if reason:
                    raise ParseError(reason)
                raw = europepmc_json.raw_record(result)
                records.append((raw, europepmc_json.parse_record(raw)))
            except Exception as exc:   # one unreadable record never stops the page
                reason = str(exc) if isinstance(exc, ParseError) else \
                    f"unreadable Europe PMC record: {type(exc).__name__}: {exc}"
                rejects.append((reason, json.dumps(result, ensure_ascii=False), source_id))
        return Page(cursor=cursor, next_cursor=data.get("nextCursorMark") or cursor,
                    hit_count=int(data.get("hitCount", 0)), records=records, rejects=rejects)

    def pages(self, query: str, since: date, until: date, cursor: str = "*") -> Iterator[Page]:
        while True:
            page = self.page(query, since, until, cursor)
            if not page.records and not page.rejects:
                return
            yield page
            if page.next_cursor == cursor:
                return
            cursor = page.next_cursor

    def fetch_pdf(self, url: str) -> bytes:
        """A linked PDF, size-capped and checked to be a PDF."""
        response, body = self.http.request("GET", url, max_bytes=self.settings.pdf_max_bytes)
        ctype = response.headers.get("Content-Type", "")
        if "pdf" not in ctype.lower() and not body.startswith(b"%PDF-"):
            raise SourceError(f"{url} is not a PDF (Content-Type {ctype!r})")
        return body
