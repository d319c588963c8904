"""Requests to NCBI carry tool and email, respect 3 req/s (10 with a key), and batch <= 200."""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import replace
from datetime import date

from pipeline.sources.http import MAX_SHARED_WAIT, TokenBucket
from pipeline.sources.pubmed import PubMedClient
from pipeline.staging import StagedWindow
from pipeline.sources.harvest import harvest_pubmed


def _harvest(settings):
    client = PubMedClient(settings)
    window = StagedWindow(settings.staging_dir, "pubmed", settings.query, date(2024, 1, 1),
                          date(2024, 12, 31))
    try:
        harvest_pubmed(client, window, lambda done, total: None)
    finally:
        client.close()
    return window


def test_requests_identify_the_tool_and_stay_under_three_per_second(mirrored, mirror):
    window = _harvest(replace(mirrored, ncbi_email="ops@example.org", ncbi_tool="litmine-test"))
    assert window.manifest.fetched == 450
    requests = mirror.requests("esearch") + mirror.requests("efetch")
    assert all(r["params"]["tool"] == "litmine-test" and r["params"]["email"] == "ops@example.org"
               for r in requests)
    assert all("api_key" not in r["params"] for r in requests)
    assert all(int(r["params"]["retmax"]) <= 200 for r in mirror.requests("efetch"))
    times = sorted(r["time"] for r in requests)
    assert len(times) == 4   # esearch + 3 efetch batches for 450 records
    # 50 ms of scheduling jitter allowed at the server; without the limiter gaps are ~1 ms.
    assert min(b - a for a, b in zip(times, times[1:])) >= 1 / 3 - 0.05


def test_an_api_key_is_sent_and_allows_ten_per_second(mirrored, mirror):
    _harvest(replace(mirrored, ncbi_api_key="secret-key", batch_size=50))
    requests = mirror.requests("efetch")
    assert all(r["params"]["api_key"] == "secret-key" for r in requests)
    times = sorted(r["time"] for r in mirror.requests())
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 0.1 - 0.05 and sum(gaps) / len(gaps) < 1 / 3


def test_token_bucket_spaces_calls_without_bursts():
    clock, sleeps = [0.0], []

    def sleep(seconds):
        sleeps.append(seconds)
        clock[0] += seconds

    bucket = TokenBucket(3, clock=lambda: clock[0], sleep=sleep)
    for _ in range(4):
        bucket.acquire()
    assert [round(s, 3) for s in sleeps] == [0.333, 0.333, 0.333]


def test_pubmed_and_pmc_on_two_threads_share_ncbis_three_per_second(mirrored, mirror):
    """Sources harvested side by side must not add up their rates at one service: PubMed's
    E-utilities and PMC's full-text fetches are both NCBI."""
    import threading

    from pipeline.sources.fulltext_client import FullTextClient

    pubmed, fulltexts = PubMedClient(mirrored), FullTextClient(mirrored)
    url = mirrored.pubmed_url.rstrip("/") + "/esearch.fcgi"
    params = {"db": "pubmed", "term": "cryoneurolysis", "retmax": "0"}

    def ask(http):
        for _ in range(3):
            http.request("GET", url, params=params)

    threads = [threading.Thread(target=ask, args=(c,)) for c in (pubmed.http, fulltexts.ncbi)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        pubmed.close()
        fulltexts.close()
    times = sorted(r["time"] for r in mirror.requests("esearch"))
    assert len(times) == 6
    assert min(b - a for a, b in zip(times, times[1:])) >= 1 / 3 - 0.05


def _take_three(path, rate, times):
    bucket = TokenBucket(rate, path=path)
    for _ in range(3):
        bucket.acquire()
        times.put(time.time())


def test_processes_sharing_a_rate_file_share_the_rate(tmp_path):
    """Airflow runs the harvest tasks in parallel processes: through the service's rate file
    they still ask it no faster than its rate, together."""
    context = multiprocessing.get_context("spawn")
    times = context.Queue()
    path = tmp_path / ".rates" / "ncbi.next"
    workers = [context.Process(target=_take_three, args=(path, 5.0, times)) for _ in range(2)]
    for worker in workers:
        worker.start()
    taken = sorted(times.get(timeout=60) for _ in range(6))
    for worker in workers:
        worker.join(timeout=60)
    assert min(b - a for a, b in zip(taken, taken[1:])) >= 1 / 5 - 0.05


def test_a_rate_file_set_far_ahead_or_torn_holds_no_request_long(tmp_path):
    waits = []
    path = tmp_path / "europepmc.next"
    bucket = TokenBucket(5.0, sleep=waits.append, path=path)
    path.write_text(repr(time.time() + 3600))       # written before the wall clock was set back
    bucket.acquire()
    path.write_text("0.3\x00garbage")                # cut short by a crash
    bucket.acquire()
    assert waits[0] <= MAX_SHARED_WAIT and len(waits) == 1
