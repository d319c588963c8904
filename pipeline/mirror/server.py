"""A loopback server that speaks NCBI E-utilities and Europe PMC REST from a folder of records.

It is the offline default and the test double: the pipeline's real HTTP clients talk to it
exactly as they talk to NCBI and Europe PMC. Implemented:

    GET|POST /entrez/eutils/esearch.fcgi   db=pubmed, term, datetype/mindate/maxdate,
                                            retstart/retmax, usehistory=y -> WebEnv/query_key
    GET|POST /entrez/eutils/efetch.fcgi    db=pubmed, id=... or WebEnv+query_key+retstart/retmax
    GET /europepmc/webservices/rest/search  query, resultType=core, format=json, cursorMark,
                                            pageSize
    GET /pdfs/NAME.pdf                      the PDFs Europe PMC records link to
    GET /html/NAME.html                     the full-text web pages they link to
    GET /europepmc/webservices/rest/ID/fullTextXML, efetch db=pmc
                                            JATS full texts (`fulltext.py`)
    GET|POST /_mirror/faults                read or replace the fault plan (JSON list)
E-utilities parameter names are case-insensitive, as NCBI's are (`WebEnv=` or `webenv=`).
    GET /_mirror/stats                      every request seen: endpoint, time, parameters
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from pipeline.mirror import eutils, europepmc, fulltext
from pipeline.mirror.corpus import Corpus, load_corpus, SAMPLE_CORPUS
from pipeline.mirror.faults import Fault, FaultPlan

ROUTES = {
    "/entrez/eutils/esearch.fcgi": "esearch",
    "/entrez/eutils/efetch.fcgi": "efetch",
    "/europepmc/webservices/rest/search": "europepmc",
}


class MirrorState:
    def __init__(self, corpus: Corpus, faults: FaultPlan) -> None:
        self.corpus = corpus
        self.faults = faults
        self.fulltexts = fulltext.index(corpus.root)   # {"PMC123": JATS <article> bytes}
        self.base_url = ""
        self.history: dict[str, list[str]] = {}     # WebEnv -> id list of its query
        self.max_search_ids = 9999                  # PubMed pages through only this many ids
        self.requests: list[dict] = []
        self.lock = threading.Lock()

    def new_webenv(self, ids: list[str]) -> str:
        webenv = "MCID_" + uuid.uuid4().hex
        with self.lock:
            self.history[webenv] = ids
        return webenv

    def log(self, endpoint: str, params: dict) -> None:
        with self.lock:
            self.requests.append({"endpoint": endpoint, "time": time.monotonic(), "params": params})


class Handler(BaseHTTPRequestHandler):
    server_version = "litmine-mirror/1"
    protocol_version = "HTTP/1.1"

    @property
    def state(self) -> MirrorState:
        return self.server.state  # type: ignore[attr-defined]

    def log_message(self, format, *args):  # quiet: the pipeline logs what matters
        pass

    def do_GET(self):
        self._dispatch(b"")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self._dispatch(self.rfile.read(length) if length else b"")

    def _dispatch(self, body: bytes) -> None:
        url = urlparse(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if body and self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            params.update({k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()})
        if url.path == "/_mirror/faults":
            return self._faults(body)
        if url.path == "/_mirror/stats":
            return self._send(200, json.dumps(self.state.requests).encode(), "application/json")
        endpoint = ROUTES.get(url.path) or ("pdf" if url.path.startswith("/pdfs/") else
                                            "html" if url.path.startswith("/html/") else None)
        if endpoint == "efetch" and params.get("db") == "pmc":
            endpoint = "pmc"
        elif url.path.startswith("/europepmc/webservices/rest/") and url.path.endswith("/fullTextXML"):
            endpoint = "fulltext"
            params = dict(params, id=url.path.split("/")[-2])     # logged: which text was asked
        if endpoint is None:
            return self._send(404, b"not found", "text/plain")
        self.state.log(endpoint, params)
        if endpoint in ("esearch", "efetch"):
            params = {k.lower(): v for k, v in params.items()}
        fault = self.state.faults.take(endpoint)
        kind = fault.kind if fault else None
        if kind == "429":
            after = fault.retry_after
            headers = {"Retry-After": after if isinstance(after, str) else f"{after:g}"}
            body = b'{"error":"API rate limit exceeded","count":"4","limit":"3"}'
            return self._send(429, body, "application/json", headers)
        if kind in ("500", "502", "503"):
            return self._send(int(kind), f"injected {kind}".encode(), "text/plain")
        if kind == "stall":
            time.sleep(fault.stall_seconds)
        if kind == "history_expired" and endpoint == "efetch":
            with self.state.lock:
                self.state.history.pop(params.get("webenv", ""), None)
        if kind == "backend_error" and endpoint in ("esearch", "efetch"):
            status, payload, ctype = (eutils.fetch_error if endpoint == "efetch"
                                      else eutils.search_error)(eutils.BACKEND_FAILED)
            return self._send(status, payload, ctype)
        malformed = kind == "malformed"
        if endpoint == "esearch":
            status, payload, ctype = eutils.esearch(self.state, params)
        elif endpoint == "efetch":
            status, payload, ctype = eutils.efetch(self.state, params, malformed, kind == "short")
        elif endpoint == "pmc":
            status, payload, ctype = fulltext.efetch_pmc(self.state, params)
        elif endpoint == "fulltext":
            status, payload, ctype = fulltext.full_text_xml(self.state, url.path.split("/")[-2])
        elif endpoint == "europepmc":
            status, payload, ctype = europepmc.search(self.state, params, malformed)
        elif endpoint == "html":
            path = self.state.corpus.html(url.path.rsplit("/", 1)[-1])
            if path is None:
                return self._send(404, b"no such page", "text/plain")
            status, payload, ctype = 200, path.read_bytes(), "text/html; charset=utf-8"
        else:
            path = self.state.corpus.pdf(url.path.rsplit("/", 1)[-1])
            if path is None:
                return self._send(404, b"no such PDF", "text/plain")
            status, payload, ctype = 200, path.read_bytes(), "application/pdf"
        if fault and fault.kind == "truncate_body":
            payload = payload[: max(1, len(payload) // 2)]
        if kind == "truncate":
            return self._send_truncated(status, payload, ctype)
        if kind == "trickle":
            return self._send_trickled(status, payload, ctype, fault.stall_seconds)
        self._send(status, payload, ctype)

    def _faults(self, body: bytes) -> None:
        if self.command == "POST":
            try:
                faults = [Fault(**f) for f in json.loads(body or b"[]")]
            except (TypeError, ValueError) as exc:
                return self._send(400, str(exc).encode(), "text/plain")
            self.state.faults.replace(faults)
        self._send(200, json.dumps(self.state.faults.pending()).encode(), "application/json")

    def _send(self, status: int, payload: bytes, ctype: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def _send_trickled(self, status: int, payload: bytes, ctype: str, seconds: float) -> None:
        """Status line and headers one byte at a time: each read is quick, the whole is not."""
        head = (f"HTTP/1.1 {status} OK\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n").encode()
        try:
            for i in range(len(head)):
                self.wfile.write(head[i:i + 1])
                self.wfile.flush()
                time.sleep(seconds / len(head))
            self.wfile.write(payload)
        except OSError:   # the client gave up, as it should
            pass
        self.close_connection = True

    def _send_truncated(self, status: int, payload: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload[: len(payload) // 2])
        self.wfile.flush()
        self.close_connection = True


class MirrorServer:
    """Serve a corpus on 127.0.0.1; use as a context manager or call start()/stop()."""

    def __init__(self, corpus_dir=SAMPLE_CORPUS, port: int = 0, host: str = "127.0.0.1",
                 faults: list[Fault] | None = None) -> None:
        self.state = MirrorState(load_corpus(corpus_dir), FaultPlan(faults))
        self._httpd = ThreadingHTTPServer((host, port), Handler)
        self._httpd.daemon_threads = True
        self._httpd.state = self.state  # type: ignore[attr-defined]
        host, port = self._httpd.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self.state.base_url = self.base_url
        self._thread: threading.Thread | None = None

    def start(self) -> "MirrorServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="litmine-mirror",
                                        daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def set_faults(self, faults: list[Fault]) -> None:
        self.state.faults.replace(faults)

    def requests(self, endpoint: str | None = None) -> list[dict]:
        return [r for r in self.state.requests if endpoint in (None, r["endpoint"])]

    def __enter__(self) -> "MirrorServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

