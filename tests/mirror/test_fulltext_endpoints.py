"""The mirror serves full texts as Europe PMC and PMC do, and the full-text client reads them,
closed articles and failures included."""

from __future__ import annotations

import socket

import httpx
import pytest

from pipeline.mirror.corpus import SAMPLE_CORPUS
from pipeline.mirror.faults import Fault
from pipeline.mirror.server import MirrorServer
from pipeline.sources.fulltext_client import FullTextClient, FullTextError, check_url


@pytest.fixture(scope="module")
def sample_mirror():
    with MirrorServer(SAMPLE_CORPUS) as server:
        yield server


def test_europepmc_full_text_xml_for_open_articles_only(sample_mirror):
    base = f"{sample_mirror.base_url}/europepmc/webservices/rest"
    open_ = httpx.get(f"{base}/PMC99000002/fullTextXML")
    assert open_.status_code == 200 and open_.content.rstrip().endswith(b"</article>")
    assert b"<body>" in open_.content
    assert httpx.get(f"{base}/PMC99000003/fullTextXML").status_code == 404   # closed
    assert httpx.get(f"{base}/PMC1/fullTextXML").status_code == 404          # unknown


def test_efetch_pmc_answers_closed_articles_with_metadata_only(sample_mirror):
    url = f"{sample_mirror.base_url}/entrez/eutils/efetch.fcgi"
    closed = httpx.post(url, data={"db": "pmc", "id": "99000003"})
    assert closed.status_code == 200
    assert b"<article-meta>" in closed.content and b"<body" not in closed.content
    assert b"does not allow downloading of the full text" in closed.content
    unknown = httpx.get(url, params={"db": "pmc", "id": "1"})
    assert unknown.status_code == 200 and b"<error" in unknown.content
    both = httpx.get(url, params={"db": "pmc", "id": "PMC99000002,99000011"})
    assert both.content.count(b"<body>") == 2


def test_client_reads_open_notes_closed_and_falls_back_to_pmc(settings, sample_mirror):
    mirrored = settings.with_mirror(sample_mirror.base_url)
    client = FullTextClient(mirrored)
    try:
        assert client.jats("PMC99000011").status == "read"
        assert client.jats("PMC99000003").status == "not_open_access"
        # Europe PMC down for this article: PMC's efetch answers instead.
        sample_mirror.set_faults([Fault("fulltext", "500", times=10)])
        with pytest.raises(FullTextError) as failure:
            client.jats("PMC99000002")
        assert failure.value.transient
        sample_mirror.set_faults([])
        requests = len(sample_mirror.requests("pmc"))
        fetched = client.jats("PMC99000002")
        assert fetched.status == "read" and len(sample_mirror.requests("pmc")) == requests
    finally:
        sample_mirror.set_faults([])
        client.close()


def fake_resolver(address):
    def resolve(host, port, proto=0):
        return [(socket.AF_INET, socket.SOCK_STREAM, proto, "", (address, port))]
    return resolve


@pytest.mark.parametrize("url, address, allowed", [
    ("https://europepmc.org/a.pdf", "193.62.193.80", True),
    ("http://127.0.0.1:8080/a.pdf", "127.0.0.1", False),
    ("http://intranet/a.pdf", "10.1.2.3", False),
    ("http://metadata/latest", "169.254.169.254", False),
    ("http://[::1]/a.pdf", "::1", False),
])
def test_full_text_urls_must_be_public(url, address, allowed):
    if allowed:
        check_url(url, resolve=fake_resolver(address))
    else:
        with pytest.raises(FullTextError, match="not a public address"):
            check_url(url, resolve=fake_resolver(address))


def test_only_http_links_and_loopback_only_offline():
    for url in ("file:///etc/passwd", "ftp://example.org/a.pdf", "gopher://x/"):
        with pytest.raises(FullTextError, match="only http"):
            check_url(url)
    check_url("http://127.0.0.1:1/a.pdf", allow_loopback=True, resolve=fake_resolver("127.0.0.1"))
    with pytest.raises(FullTextError):
        check_url("http://10.0.0.1/a.pdf", allow_loopback=True, resolve=fake_resolver("10.0.0.1"))


def test_loopback_links_only_to_the_configured_mirror(settings, sample_mirror):
    from dataclasses import replace

    # As an Airflow run sees it: the sources point at the mirror, no --offline flag.
    pointed = replace(settings.with_mirror(sample_mirror.base_url), allow_loopback=False)
    client = FullTextClient(pointed)
    try:
        assert client.pdf(f"{sample_mirror.base_url}/pdfs/PPR900001.pdf").status == "read"
        with pytest.raises(FullTextError, match="not a public address"):
            client.pdf("http://127.0.0.1:9/internal/admin.pdf")
    finally:
        client.close()
