"""Every call is bounded as a whole, headers included, and Retry-After is read in every form."""

from __future__ import annotations

import email.utils
import time

import pytest

from pipeline.mirror.faults import Fault
from pipeline.sources.http import PoliteClient, RetryPolicy, SourceError, parse_retry_after


def test_headers_trickled_byte_by_byte_cannot_hold_a_call(mirror):
    mirror.set_faults([Fault("efetch", "trickle", stall_seconds=30)])
    client = PoliteClient("PubMed", rate=10, timeout=1.0, retry=RetryPolicy(attempts=1))
    started = time.monotonic()
    with pytest.raises(SourceError, match="headers included"):
        client.request("GET", f"{mirror.base_url}/entrez/eutils/efetch.fcgi",
                       params={"db": "pubmed", "id": "980000001"})
    assert time.monotonic() - started < 3.0
    # The client is usable afterwards: the stuck exchange was abandoned, not inherited.
    response, body = client.request("GET", f"{mirror.base_url}/entrez/eutils/efetch.fcgi",
                                    params={"db": "pubmed", "id": "980000001"})
    assert response.status_code == 200 and b"980000001" in body
    client.close()


def test_a_long_retry_after_is_capped_and_reported(mirror):
    mirror.set_faults([Fault("esearch", "429", retry_after=3600)])
    waits = []
    client = PoliteClient("PubMed", rate=10, timeout=5.0, sleep=waits.append,
                          retry=RetryPolicy(attempts=2, base_seconds=0.01, max_wait=2.0))
    response, _ = client.request("GET", f"{mirror.base_url}/entrez/eutils/esearch.fcgi",
                                 params={"db": "pubmed", "term": "pain"})
    assert response.status_code == 200
    assert max(waits) == 2.0
    assert client.capped_waits == ["PubMed asked to wait 3600s; waited 2s (the cap)"]


@pytest.mark.parametrize("value, expected", [
    ("120", 120.0), ("0", 0.0), ("1.5", 1.5),
    ("soon", None), ("", None), (None, None), ("-5", None), ("nan", None), ("inf", None),
    ("Wed, 21 Oct 2015 07:28:00", None),         # no zone: not an HTTP date
])
def test_retry_after_forms(value, expected):
    assert parse_retry_after(value) == expected


def test_retry_after_as_an_http_date():
    now = time.time()
    assert parse_retry_after(email.utils.formatdate(now + 30, usegmt=True), now=now) == \
        pytest.approx(30, abs=1)
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0
