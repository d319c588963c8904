"""Faults the mirror injects, so retries and resumption are tested against real HTTP.

A fault plan is a list of `Fault`s. Each fires on the next `times` requests to its endpoint and
is then used up, so "two 429s, then success" is `Fault("efetch", "429", times=2)`.

Kinds:
    429, 500, 502, 503   that status; 429 carries NCBI's JSON body and a Retry-After header:
                         `retry_after` as seconds, or verbatim when a string (an HTTP date, "soon")
    stall                hold the request for `stall_seconds` before answering (client timeout)
    trickle              send the status line and headers a byte at a time over `stall_seconds`
    history_expired      efetch: the WebEnv is forgotten; HTTP 200 with NCBI's eFetchResult ERROR
    backend_error        esearch/efetch: HTTP 200 with `<ERROR>Search Backend failed...`
    short                efetch: one record fewer than asked for, with no error
    truncate             announce the full Content-Length, send half, close: a broken transfer
    truncate_body        a well-formed HTTP response whose document is cut short
    malformed            a broken record among the good ones (efetch, europepmc)

Written on the command line as ENDPOINT:KIND[:TIMES], e.g. `efetch:429:2`, `europepmc:stall`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

ENDPOINTS = ("esearch", "efetch", "europepmc", "pdf", "html", "fulltext", "pmc", "*")
KINDS = ("429", "500", "502", "503", "stall", "trickle", "truncate", "truncate_body", "malformed",
         "history_expired", "backend_error", "short")


@dataclass
class Fault:
    endpoint: str
    kind: str
    times: int = 1
    retry_after: float | str = 1.0
    stall_seconds: float = 30.0

    def __post_init__(self) -> None:
        if self.endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {self.endpoint!r}; one of {', '.join(ENDPOINTS)}")
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; one of {', '.join(KINDS)}")
        if self.times < 1:
            raise ValueError("a fault fires at least once")

    @classmethod
    def parse(cls, text: str) -> "Fault":
        parts = text.split(":")
        if len(parts) not in (2, 3):
            raise ValueError(f"fault must be ENDPOINT:KIND[:TIMES], got {text!r}")
        times = int(parts[2]) if len(parts) == 3 else 1
        return cls(parts[0], parts[1], times=times)


class FaultPlan:
    """Thread-safe: the mirror serves requests on several threads."""

    def __init__(self, faults: list[Fault] | None = None) -> None:
        self._lock = threading.Lock()
        self._faults = list(faults or [])

    def replace(self, faults: list[Fault]) -> None:
        with self._lock:
            self._faults = list(faults)

    def take(self, endpoint: str) -> Fault | None:
        """The fault this request to `endpoint` suffers, if any (and count it as used)."""
        with self._lock:
            for fault in self._faults:
                if fault.endpoint in (endpoint, "*") and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def pending(self) -> list[dict]:
        with self._lock:
            return [vars(f).copy() for f in self._faults if f.times > 0]
