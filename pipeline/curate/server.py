"""Serving the curation UI: a threading wsgiref server on loopback by default.

`make_server` binds `CurationApp` (127.0.0.1 by default; the warehouse is migrated once),
`CurationServer` runs one in a background thread for the duration of a `with` block (tests),
and `serve` runs one until interrupted (`litmine curate serve`).
"""

from __future__ import annotations

import logging
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from pipeline.config import Settings
from pipeline.curate.web import CurationApp, _is_loopback

log = logging.getLogger(__name__)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _Handler(WSGIRequestHandler):
    def log_message(self, format, *args):   # noqa: A002 - the stdlib's signature
        log.debug("%s - %s", self.address_string(), format % args)


def make_server(settings: Settings, host: str = "127.0.0.1", port: int = 8765) -> WSGIServer:
    """A bound (not yet serving) server; port 0 picks a free one. The warehouse is migrated once."""
    from pipeline.warehouse import db

    db.connect(settings).close()
    app = CurationApp(settings, loopback_only=_is_loopback(host))
    server = _Server((host, port), _Handler)
    server.set_app(app)
    return server


def server_url(server: WSGIServer) -> str:
    host, port = server.server_address[:2]
    host = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return f"http://{host}:{port}"


class CurationServer:
    """Serve in a background thread for the duration of a `with` block."""

    def __init__(self, settings: Settings, host: str = "127.0.0.1", port: int = 0):
        self.server = make_server(settings, host, port)
        self.url = server_url(self.server)
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True)

    def __enter__(self) -> "CurationServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8765, announce=print) -> None:
    server = make_server(settings, host, port)
    announce(f"curation queue at {server_url(server)}/  (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
