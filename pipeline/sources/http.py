"""Polite, bounded HTTP for the source clients.

Three guarantees, whatever the server does:
- **Rate**: a token bucket spaces requests to at most `rate` per second (NCBI asks for 3/s, or
  10/s with an API key); the bucket holds one token, so requests never come in bursts. Clients
  of one service (`service`: PubMed's E-utilities and PMC's are both NCBI) at one rate share
  one bucket, so sources harvested side by side still ask each service no faster than it
  allows: threads through one bucket object, and processes (Airflow runs the harvest tasks in
  parallel) through a file beside the staged records holding the service's next free time,
  taken under an exclusive lock (`flock`).
- **Time**: every call has a hard deadline covering connect, headers and the whole body, not
  just each read, so a server that trickles bytes (headers included) cannot hold a night's run
  hostage: the exchange runs on a worker thread that is abandoned when the deadline passes.
- **Retries**: 429, 5xx, broken transfers, timeouts and bodies the caller finds cut short are
  retried with exponential backoff and full jitter ("Exponential Backoff And Jitter", AWS
  Architecture Blog, 2015), waiting at least as long as a Retry-After header asks (seconds or an
  HTTP date; anything else is ignored), but never longer than `max_wait` at a time: each wait
  cut short is kept in `capped_waits` for the run to report.
Anything else (404, a rejected query) fails at once with the reason.
"""

from __future__ import annotations

import email.utils
import functools
import logging
import random
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import httpx

if TYPE_CHECKING:  # pragma: no cover
    import ssl

log = logging.getLogger(__name__)

RETRY_STATUS = {408, 429, 500, 502, 503, 504}


class SourceError(RuntimeError):
    """A request that could not be completed; the message is the reason a run reports."""


class RetryableBody(ValueError):
    """Raised by a response check for a body that is cut short or garbled in transit."""


# A wait read from a shared file never exceeds this: a wall clock set back would otherwise hold
# every request until it caught up.
MAX_SHARED_WAIT = 10.0


class TokenBucket:
    """One request per `1 / rate` seconds. With `path`, the next free time is kept in that file
    (wall-clock seconds, read and written under `flock`), so every process using the file
    shares the rate."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, path: Path | None = None) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()   # flock does not exclude threads sharing one descriptor
        self.path = path

    def acquire(self) -> None:
        with self._lock:
            if self.path is not None:
                wait = self._reserve_shared()
            else:
                now = self._clock()
                wait = self._next - now
                self._next = max(now, self._next) + self.interval
        if wait > 0:
            self._sleep(wait)

    def _reserve_shared(self) -> float:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a+", encoding="ascii") as slot:
            fcntl.flock(slot, fcntl.LOCK_EX)        # released when the file is closed
            slot.seek(0)
            try:
                taken = float(slot.read() or 0)
            except ValueError:                      # a torn or foreign file: nothing reserved
                taken = 0.0
            now = time.time()
            wait = min(max(taken - now, 0.0), MAX_SHARED_WAIT)
            slot.seek(0)
            slot.truncate()
            slot.write(repr(now + wait + self.interval))
        return wait


_shared_buckets: dict[tuple, TokenBucket] = {}
_shared_lock = threading.Lock()


def service_bucket(service: str, rate: float, directory: Path | None = None) -> TokenBucket:
    """The process's one bucket for `service` at `rate`; with `directory`, shared with other
    processes through `directory/<service>.next` as well."""
    path = None if directory is None else Path(directory) / f"{service}.next"
    with _shared_lock:
        return _shared_buckets.setdefault((service, rate, path), TokenBucket(rate, path=path))


@functools.cache
def _tls() -> "ssl.SSLContext":
    # httpx builds a context (reading the CA bundle, ~30 ms) per client otherwise; a night
    # makes ten clients. The context holds no connection state and is shared safely.
    return httpx.create_ssl_context()


@dataclass
class RetryPolicy:
    attempts: int = 6              # first try + 5 retries
    base_seconds: float = 1.0
    max_seconds: float = 60.0
    max_wait: float = 300.0        # the longest single wait, whatever a server asks for

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        delay = random.uniform(0, min(self.max_seconds, self.base_seconds * 2 ** attempt))
        if retry_after is not None:
            delay = max(delay, retry_after)
        return delay


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (RFC 9110: delay-seconds or an HTTP date).

    None for a value that is neither ("soon", "-1", a malformed date): the caller's own backoff
    then applies, rather than a crash or an unbounded wait."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        seconds = float(value)             # "1.5": not RFC, but meant as seconds
        return seconds if seconds >= 0 and seconds == seconds and seconds != float("inf") else None
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return max(0.0, parsed.timestamp() - (time.time() if now is None else now))


class PoliteClient:
    """httpx with a rate limit, a hard deadline per call and retries."""

    def __init__(self, name: str, rate: float, timeout: float = 30.0,
                 retry: RetryPolicy | None = None, user_agent: str = "litmine",
                 sleep: Callable[[float], None] = time.sleep, service: str | None = None,
                 rates_dir: Path | None = None) -> None:
        self.name = name
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        # a test's injected sleep gets a bucket of its own
        self.bucket = service_bucket(service, rate, rates_dir) if service and sleep is time.sleep \
            else TokenBucket(rate, sleep=sleep)
        self._sleep = sleep
        self._user_agent = user_agent
        self._client = self._new_client()
        self.requests_made = 0
        self.capped_waits: list[str] = []

    def _new_client(self) -> httpx.Client:
        return httpx.Client(timeout=httpx.Timeout(self.timeout), follow_redirects=True,
                            headers={"User-Agent": self._user_agent}, verify=_tls())

    def close(self) -> None:
        self._client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def request(self, method: str, url: str, *, params: dict | None = None,
                data: dict | None = None, check: Callable[[httpx.Response, bytes], None] | None = None,
                max_bytes: int | None = None) -> tuple[httpx.Response, bytes]:
        """The response and its full body, after retries; SourceError when it cannot be had."""
        last_error = "no attempt made"
        for attempt in range(self.retry.attempts):
            retry_after = None
            try:
                response, body = self._once(method, url, params, data, max_bytes)
                if response.status_code in RETRY_STATUS:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    last_error = f"HTTP {response.status_code}"
                elif response.status_code >= 400:
                    raise SourceError(f"{self.name}: HTTP {response.status_code} from {url}: "
                                      f"{body[:200].decode('utf-8', 'replace')}")
                else:
                    if check:
                        check(response, body)
                    return response, body
            except (httpx.TransportError, RetryableBody) as exc:
                last_error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            if attempt + 1 < self.retry.attempts:
                delay = self.retry.backoff(attempt, retry_after)
                if delay > self.retry.max_wait:
                    self.capped_waits.append(f"{self.name} asked to wait {delay:.0f}s; waited "
                                             f"{self.retry.max_wait:g}s (the cap)")
                    delay = self.retry.max_wait
                log.warning("%s: %s; retry %d/%d in %.1fs", self.name, last_error, attempt + 1,
                            self.retry.attempts - 1, delay)
                self._sleep(delay)
        raise SourceError(f"{self.name}: gave up after {self.retry.attempts} attempts "
                          f"on {url}: {last_error}")

    def _once(self, method, url, params, data, max_bytes) -> tuple[httpx.Response, bytes]:
        """One exchange, bounded as a whole: httpx's timeouts bound each read, not their sum."""
        self.bucket.acquire()
        self.requests_made += 1
        outcome: dict = {}

        def exchange() -> None:
            try:
                outcome["value"] = self._exchange(method, url, params, data, max_bytes)
            except BaseException as exc:  # handed to the calling thread
                outcome["error"] = exc

        worker = threading.Thread(target=exchange, name=f"{self.name} request", daemon=True)
        worker.start()
        worker.join(self.timeout + 1.0)
        if worker.is_alive():
            # Abandon the exchange: its connection is dropped and later calls get a new pool.
            stuck, self._client = self._client, self._new_client()
            threading.Thread(target=stuck.close, daemon=True).start()
            raise httpx.ReadTimeout(f"no complete response within {self.timeout:g}s "
                                    "(headers included)")
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    def _exchange(self, method, url, params, data, max_bytes) -> tuple[httpx.Response, bytes]:
        deadline = time.monotonic() + self.timeout
        with self._client.stream(method, url, params=params, data=data) as response:
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise SourceError(f"{self.name}: {url} is larger than {max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout(f"whole response took over {self.timeout:g}s")
                chunks.append(chunk)
        return response, b"".join(chunks)
