"""Full texts over HTTP: JATS from Europe PMC and PMC, PDFs from the links records carry.

    FullTextClient(settings).jats(pmcid_or_pprid) -> Fetched(status, body, url)
    FullTextClient(settings).pdf(url)             -> Fetched(status, body, url)
    FullTextClient(settings).html(url)            -> Fetched(status, body, url)   (a web page)

`status` is "read" (a body), "not_open_access" (Europe PMC has no full text and PMC answers
with metadata only: HTTP 200 and no `<body>`, which is how NCBI says "closed", not an error) or
raises `FullTextError(reason, transient=...)`. Europe PMC `/{id}/fullTextXML` is asked first,
NCBI `efetch db=pmc` second (NCBI's 3 requests/s and tool/email apply).

Only http(s) URLs to public addresses are fetched: a record's link to a loopback, private,
link-local or reserved address (or a redirect to one) is refused; loopback is allowed only in
offline mode: `settings.allow_loopback` (`--offline`), or a link on the exact origin the sources
are configured at (the mirror). Redirects are followed by hand, each checked.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlparse

from pipeline.config import Settings
from pipeline.sources.http import PoliteClient, RetryableBody, RetryPolicy, SourceError

MAX_REDIRECTS = 5
JATS_MAX_BYTES = 30 * 1024 * 1024


class FullTextError(RuntimeError):
    """A full text that could not be had; `transient` ones are tried again on a later night."""

    def __init__(self, reason: str, transient: bool = False) -> None:
        super().__init__(reason)
        self.transient = transient


@dataclass
class Fetched:
    status: str          # "read" | "not_open_access"
    body: bytes = b""
    url: str = ""
    format: str = ""     # "jats" | "pdf" | "html"


def check_url(url: str, allow_loopback: bool = False, resolve=socket.getaddrinfo) -> None:
    """FullTextError unless `url` is http(s) to a public address (see module docstring)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise FullTextError(f"refused URL {url!r}: only http(s) links are fetched")
    try:
        infos = resolve(parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80),
                        proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise FullTextError(f"cannot resolve {parsed.hostname!r}: {exc}", transient=True) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if address.is_loopback and allow_loopback:
            continue
        if not address.is_global:
            raise FullTextError(f"refused URL {url!r}: {address} is not a public address")


def _origin(url: str) -> tuple:
    parsed = urlparse(url)
    return parsed.scheme, parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80)


def _transient(exc: SourceError) -> bool:
    # PoliteClient gives up on retryable failures (5xx, 429, timeouts, cut bodies) after its
    # retries; anything else (404, refused) fails at once and is not worth another night.
    return "gave up after" in str(exc)


def _check_article(response, body: bytes) -> None:
    if response.status_code == 200 and not body.rstrip().endswith(b"</article>"):
        raise RetryableBody("full text XML ends before </article>")


def _check_articleset(response, body: bytes) -> None:
    if not body.rstrip().endswith(b"</pmc-articleset>"):
        raise RetryableBody("PMC efetch body ends before </pmc-articleset>")


class FullTextClient:
    def __init__(self, settings: Settings, retry: RetryPolicy | None = None, sleep=None) -> None:
        self.settings = settings
        kwargs = {"sleep": sleep} if sleep else {}
        retry = retry or RetryPolicy(attempts=settings.http_retries + 1, base_seconds=settings.http_backoff)
        agent = f"{settings.ncbi_tool} ({settings.ncbi_email})"
        self.europepmc = PoliteClient("Europe PMC full text", rate=5.0, timeout=settings.http_timeout,
                                      retry=retry, user_agent=agent, service="europepmc",
                                      rates_dir=settings.rates_dir, **kwargs)
        self.ncbi = PoliteClient("PMC", rate=settings.ncbi_requests_per_second, service="ncbi",
                                 rates_dir=settings.rates_dir,
                                 timeout=settings.http_timeout, retry=retry, user_agent=agent, **kwargs)
        self.links = PoliteClient("full-text link", rate=5.0, timeout=settings.http_timeout,
                                  retry=retry, user_agent=agent, **kwargs)
        self.links._client.follow_redirects = False    # each hop is checked by `pdf`

    def close(self) -> None:
        for client in (self.europepmc, self.ncbi, self.links):
            client.close()

    def jats(self, article_id: str) -> Fetched:
        """The JATS full text of a PMCID or Europe PMC preprint id (see module docstring)."""
        url = self.settings.europepmc_url.rstrip("/") + f"/{article_id}/fullTextXML"
        try:
            _, body = self.europepmc.request("GET", url, check=_check_article, max_bytes=JATS_MAX_BYTES)
            return Fetched("read", body, url, "jats")
        except SourceError as exc:
            if "HTTP 404" not in str(exc):
                raise FullTextError(str(exc), transient=_transient(exc)) from exc
        if not article_id.upper().startswith("PMC"):
            return Fetched("not_open_access", url=url, format="jats")
        params = {"db": "pmc", "id": article_id[3:], "retmode": "xml",
                  "tool": self.settings.ncbi_tool, "email": self.settings.ncbi_email}
        if self.settings.ncbi_api_key:
            params["api_key"] = self.settings.ncbi_api_key
        efetch = self.settings.pubmed_url.rstrip("/") + "/efetch.fcgi"
        try:
            _, body = self.ncbi.request("POST", efetch, data=params, check=_check_articleset,
                                        max_bytes=JATS_MAX_BYTES)
        except SourceError as exc:
            raise FullTextError(str(exc), transient=_transient(exc)) from exc
        where = f"{efetch}?db=pmc&id={article_id}"
        if b"<body" not in body:
            if b"<article" in body:
                return Fetched("not_open_access", url=where, format="jats")
            raise FullTextError(f"PMC has no article {article_id}: {body[-300:].decode('utf-8', 'replace')}")
        return Fetched("read", body, where, "jats")

    def _loopback_allowed(self, url: str) -> bool:
        """Offline mode: `--offline` (settings.allow_loopback), or a link on the very origin the
        sources are configured at (the mirror an Airflow run was pointed at)."""
        if self.settings.allow_loopback:
            return True
        origin = _origin(url)
        return any(origin == _origin(base) for base in (self.settings.europepmc_url, self.settings.pubmed_url))

    def pdf(self, url: str) -> Fetched:
        """A linked PDF: public http(s) only, size-capped, checked to be a PDF."""
        return self._link(url, "PDF", lambda ctype, body: "pdf" in ctype or body.startswith(b"%PDF-"))

    def html(self, url: str) -> Fetched:
        """A linked full-text web page: as `pdf`, checked to be HTML."""
        return self._link(url, "HTML", lambda ctype, body: "html" in ctype or (
            not ctype and body.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html"))))

    def _link(self, url: str, kind: str, accept) -> Fetched:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url, allow_loopback=self._loopback_allowed(url))
            try:
                response, body = self.links.request("GET", url, max_bytes=self.settings.pdf_max_bytes)
            except SourceError as exc:
                raise FullTextError(f"{kind} {url}: {exc}", transient=_transient(exc)) from exc
            if response.status_code in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                continue
            ctype = response.headers.get("Content-Type", "")
            if not accept(ctype.lower(), body):
                raise FullTextError(f"{kind} {url}: not {'an' if kind == 'HTML' else 'a'} {kind} "
                                    f"(Content-Type {ctype!r})")
            return Fetched("read", body, url, kind.lower())
        raise FullTextError(f"{kind} {url}: more than {MAX_REDIRECTS} redirects")
