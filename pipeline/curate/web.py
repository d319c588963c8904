"""The curation web UI: a server-rendered queue and record pages, over stdlib WSGI.

What: `CurationApp` is a WSGI application (`server.py` binds and runs it; `cues.py` decides what
the text highlights). Pages:

    GET  /                  the queue, most important first
    GET  /browse?q=...      every current record: search and filters (design, target group,
                            relevance, flagged, curated, source)
    GET  /record/<id>       title and abstract with evidence and flag cues highlighted, links,
                            a form per field
    POST /record/<id>       accept / correct / not_reported one field (redirects back: 303)
    POST /undo              undo the curator's last action (on that record)
    GET  /next?after=<id>&at=<n>   the next record in the queue, from <id>'s place in it
    GET|POST /whoami        the curator's name, asked once and kept in a cookie
    GET  /static/<file>     the page's CSS and JS (no CDN: it works offline)

Why these choices: the tool runs on a curator's machine next to the warehouse, so it is bound to
loopback and needs nothing but the standard library and Jinja2 (already installed with Airflow).
Readers never block the writer: pages read through a short read-only connection opened per
request (the nightly's connect waits out such a blink), and while the nightly holds the
warehouse they read the published snapshot instead, saying so. A save takes the warehouse for
one brief transaction, retried with backoff; if the nightly still holds it, the save is queued
(`inbox`) and applied as soon as the warehouse is free (by the UI, or by the night itself before
it publishes), so browsing never fails a night and the night never fails a save. POSTs are accepted only from the page's own
origin (Origin, else Referer, must name the Host the request was sent to, and that Host must be
loopback when bound to loopback: no cross-site form posts, no DNS rebinding); the cookie is
SameSite=Strict; every page carries a CSP without inline script. Everything is HTML-escaped by
Jinja2's autoescape (abstracts may contain markup). Invalid input re-renders the page with the
message (400) and writes nothing; a concurrent edit of the same field answers 409 showing the
other curator's value.
"""

from __future__ import annotations

import http.cookies
import ipaddress
import json
import logging
import mimetypes
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import duckdb
import jinja2

from pipeline.config import Settings
from pipeline.curate import inbox, store
from pipeline.curate.cues import segments
from pipeline.curate.fields import CORE_FIELDS, DESIGNS, FIELDS, TARGET_GROUPS, show_value

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
COOKIE = "litmine_curator"
MAX_BODY = 256 * 1024
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")

class Busy(Exception):
    """The warehouse is locked by another process (the nightly load)."""


class Response:
    def __init__(self, status: int, body: str | bytes = b"", content_type="text/html; charset=utf-8",
                 headers: list[tuple[str, str]] | None = None):
        self.status = status
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.headers = [("Content-Type", content_type)] + (headers or [])


def redirect(location: str, headers=None) -> Response:
    return Response(303, b"", headers=[("Location", location)] + (headers or []))


def record_url(article_id: str) -> str:
    return "/record/" + quote(article_id, safe="")


def _is_loopback(host: str) -> bool:
    name = host.strip("[]")
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _split_host(netloc: str) -> tuple[str, str]:
    if netloc.startswith("["):
        host, _, rest = netloc[1:].partition("]")
        return host, rest.lstrip(":")
    host, _, port = netloc.rpartition(":") if ":" in netloc else (netloc, "", "")
    return host, port


class CurationApp:
    """The WSGI application. `loopback_only`: refuse requests whose Host is not loopback."""

    def __init__(self, settings: Settings, loopback_only: bool = True, busy_wait: float = 2.0):
        self.settings = settings
        self.loopback_only = loopback_only
        self.busy_wait = busy_wait
        self._local = threading.local()     # per request thread: read from the snapshot?
        self._open_lock = threading.Lock()
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                                      autoescape=True, undefined=jinja2.StrictUndefined,
                                      trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(show=show_value, record_url=record_url, FIELDS=FIELDS,
                                CORE_FIELDS=CORE_FIELDS, json=json.dumps)

    # ------------------------------------------------------------ plumbing

    @contextmanager
    def connection(self, write: bool = False, fallback: bool = True):
        """A short connection: read-only unless `write`. Retried with backoff while another
        process holds the warehouse; then reads fall back to the published snapshot (the page
        says so) and writes raise Busy."""
        deadline = time.monotonic() + self.busy_wait
        delay = 0.05
        with self._open_lock:      # one DuckDB configuration per file at a time in this process
            while True:
                try:
                    con = duckdb.connect(str(self.settings.warehouse), read_only=not write)
                    self._local.snapshot = False
                    break
                except duckdb.IOException as exc:
                    if time.monotonic() >= deadline:
                        published = Path(self.settings.published)
                        if write or not fallback or not published.is_file():
                            raise Busy(str(exc)) from None
                        con = duckdb.connect(str(published), read_only=True)
                        self._local.snapshot = True
                        break
                    time.sleep(delay)
                    delay = min(delay * 2, 0.5)
            try:
                yield con
            finally:
                con.close()

    def render(self, template: str, status: int = 200, **context) -> Response:
        context.setdefault("snapshot", getattr(self._local, "snapshot", False))
        context.setdefault("queued", inbox.pending(self.settings))
        return Response(status, self.env.get_template(template).render(**context))

    def __call__(self, environ, start_response):
        self._local.snapshot = False
        try:
            response = self.handle(environ)
        except Busy as exc:
            log.warning("warehouse busy: %s", exc)
            response = self.render("message.html", 503, title="Warehouse busy", curator=None,
                                   message="The warehouse is being written by another process "
                                           "(the nightly load?). Nothing was changed; retry in a moment.")
            response.headers.append(("Retry-After", "5"))
        except Exception as exc:       # a page, not a stack trace, and the log keeps the details
            log.exception("curation UI error")
            response = self.render("message.html", 500, title="Error", curator=None,
                                   message=f"Something went wrong; nothing was changed. ({type(exc).__name__}: {exc})")
        headers = response.headers + [
            ("Content-Length", str(len(response.body))),
            ("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"),
            ("Cache-Control", "no-store")]
        start_response(f"{response.status} {_REASONS.get(response.status, '')}", headers)
        return [response.body]

    def handle(self, environ) -> Response:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
        query = parse_qs(environ.get("QUERY_STRING", ""))
        host = environ.get("HTTP_HOST") or ""
        if not self._host_ok(host):
            return Response(421, "Misdirected request: this server only answers on its loopback address.",
                            "text/plain; charset=utf-8")
        if path.startswith("/static/"):
            return self.static(path[len("/static/"):])
        if path == "/healthz":
            return Response(200, "ok", "text/plain; charset=utf-8")
        form: dict[str, list[str]] = {}
        if method == "POST":
            refused = self._refuse_post(environ, host)
            if refused:
                return refused
            form = self._read_form(environ)
            if form is None:
                return Response(400, "Bad form body", "text/plain; charset=utf-8")
        elif method not in ("GET", "HEAD"):
            return Response(405, "Method not allowed", "text/plain; charset=utf-8",
                            headers=[("Allow", "GET, POST")])
        curator = self._curator(environ)
        if path == "/whoami":
            return self.whoami(method, form, query, curator)
        if curator is None:
            target = path + ("?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else "")
            return redirect("/whoami?" + urlencode({"next": target}))
        if path == "/":
            return self.queue_page(curator, query)
        if path == "/browse":
            return self.browse_page(curator, query)
        if path == "/undo" and method == "POST":
            return self.undo(curator, form)
        if path == "/next":
            with self.connection() as con:
                after = (query.get("after") or [None])[0]
                nxt = store.next_in_queue(con, after, _int((query.get("at") or [""])[0]))
            return redirect(record_url(nxt) if nxt else "/?empty=1")
        if path.startswith("/record/"):
            article_id = path[len("/record/"):]
            if method == "POST":
                return self.post_record(article_id, curator, form)
            return self.record_page(article_id, curator, query)
        return self.render("message.html", 404, title="Not found", curator=curator,
                           message=f"There is no page {path}.")

    def _host_ok(self, host: str) -> bool:
        if not host:
            return False
        return _is_loopback(_split_host(host)[0]) if self.loopback_only else True

    def _refuse_post(self, environ, host: str) -> Response | None:
        origin = environ.get("HTTP_ORIGIN")
        source = origin if origin and origin != "null" else environ.get("HTTP_REFERER")
        if origin == "null" or not source or urlsplit(source).netloc.lower() != host.lower() \
                or urlsplit(source).scheme not in ("http", "https"):
            log.warning("refused a cross-origin POST: Origin=%r Referer=%r Host=%r", origin,
                        environ.get("HTTP_REFERER"), host)
            return self.render("message.html", 403, title="Refused", curator=None,
                               message="This form was not sent from the curation page itself "
                                       "(Origin/Referer does not match), so nothing was changed.")
        ctype = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            return Response(415, "Forms must be application/x-www-form-urlencoded",
                            "text/plain; charset=utf-8")
        return None

    @staticmethod
    def _read_form(environ) -> dict[str, list[str]] | None:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if length < 0 or length > MAX_BODY:
            return None
        body = environ["wsgi.input"].read(length) if length else b""
        try:
            return parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            return None

    @staticmethod
    def _curator(environ) -> str | None:
        cookie = http.cookies.SimpleCookie()
        try:
            cookie.load(environ.get("HTTP_COOKIE", ""))
        except http.cookies.CookieError:
            return None
        if COOKIE not in cookie:
            return None
        try:
            return store.clean_curator(unquote(cookie[COOKIE].value))
        except store.CurationError:
            return None

    def static(self, name: str) -> Response:
        path = (STATIC / name).resolve()
        if path.parent != STATIC.resolve() or not path.is_file():
            return Response(404, "Not found", "text/plain; charset=utf-8")
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype.endswith("javascript"):
            ctype += "; charset=utf-8"
        return Response(200, path.read_bytes(), ctype)

    # ------------------------------------------------------------ pages

    def whoami(self, method, form, query, curator) -> Response:
        target = ((form.get("next") or query.get("next") or ["/"])[0]) or "/"
        if not target.startswith("/") or target.startswith("//") or "\\" in target:
            target = "/"
        if method == "POST":
            try:
                name = store.clean_curator((form.get("name") or [""])[0])
            except store.CurationError as exc:
                return self.render("whoami.html", 400, curator=curator, next=target, error=str(exc),
                                   name=(form.get("name") or [""])[0])
            log.info("curator %r signed in", name)
            cookie = (f"{COOKIE}={quote(name, safe='')}; Path=/; Max-Age=31536000; "
                      "SameSite=Strict; HttpOnly")
            return redirect(target, headers=[("Set-Cookie", cookie)])
        return self.render("whoami.html", curator=curator, next=target, error=None, name=curator or "")

    def queue_page(self, curator, query) -> Response:
        show_all = (query.get("all") or [""])[0] == "1"
        with self.connection() as con:
            items = store.queue(con, include_done=show_all)
            total = con.execute("SELECT count(*) FROM core.articles_current").fetchone()[0]
        return self.render("queue.html", curator=curator, items=items, total=total,
                           show_all=show_all, empty=bool(query.get("empty")))

    def browse_page(self, curator, query) -> Response:
        first = lambda key: (query.get(key) or [""])[0].strip()   # noqa: E731
        filters = store.Filters(**{k: first(k)[:200] for k in store.Filters.__dataclass_fields__})
        with self.connection() as con:
            rows, total = store.browse(con, filters)
        return self.render("browse.html", curator=curator, rows=rows, total=total, filters=filters,
                           designs=DESIGNS, target_groups=TARGET_GROUPS)

    def undo(self, curator, form) -> Response:
        article_id = (form.get("article_id") or [""])[0] or None
        with self.connection(write=True) as con:
            inbox.apply_inbox(con, self.settings)
            undone = store.undo_last(con, curator, article_id)
        if undone is None:
            target = record_url(article_id) if article_id else "/"
            return redirect(target + "?" + urlencode({"undone": "none"}))
        return redirect(f"{record_url(undone.article_id)}?{urlencode({'undone': undone.field})}"
                        f"#field-{undone.field}")

    def record_page(self, article_id, curator, query, status=200, notes=None, typed=None,
                    con=None) -> Response:
        def build(con):
            record = store.load_record(con, article_id)
            if record is None:
                return None, None, None
            ids = [i.article_id for i in store.queue(con)]
            return record, ids, store.history(con, article_id)[:50]

        if con is None:
            with self.connection() as c:
                record, ids, trail = build(c)
        else:
            record, ids, trail = build(con)
        if record is None:
            return self.render("message.html", 404, title="Not found", curator=curator,
                               message=f"There is no current article {article_id!r}.")
        notes = dict(notes or {})
        saved = (query.get("saved") or [None])[0]
        if saved in record.fields and saved not in notes:
            state = record.fields[saved]
            if state.override:
                notes[saved] = ("saved", f"Saved: {saved} = "
                                f"{show_value(state.override.new_value) or 'not reported'} "
                                f"({state.override.action} by {state.override.curator}).")
        order = list(FIELDS)
        pending = sorted((s for s in record.fields.values() if s.pending),
                         key=lambda s: (s.name not in CORE_FIELDS, order.index(s.name)))
        current = pending[0].name if pending else (next(iter(notes), None) or order[0])
        undone = (query.get("undone") or [None])[0]
        if undone in record.fields and undone not in notes:
            notes[undone] = ("saved", f"Undone: {undone} is now "
                             f"{show_value(record.fields[undone].value) or 'not reported'}.")
        elif undone == "none":
            notes[current] = ("error", "Nothing of yours to undo here.")
        position = ids.index(article_id) + 1 if article_id in ids else None
        at = position or _int((query.get("at") or [""])[0])
        nxt = {"after": article_id, **({"at": at} if at else {})}
        return self.render("record.html", status, curator=curator, record=record,
                           segments=segments(record), notes=notes, typed=typed or {},
                           current=current, position=position, at=at or "", queue_size=len(ids),
                           next_url="/next?" + urlencode(nxt), trail=trail)

    def post_record(self, article_id, curator, form) -> Response:
        first = lambda key: (form.get(key) or [""])[0]   # noqa: E731
        field, action = first("field"), first("action")
        values = [v for v in form.get("value", []) if v.strip()]
        spec = FIELDS.get(field)
        value = values if spec and spec.is_list else (values[0] if values else "")
        shown = store.ANY
        if "shown" in form:
            try:
                shown = json.loads(first("shown"))
            except ValueError:
                shown = store.ANY
        typed = {field: {"value": value, "reason": first("reason")}}
        evidence = None
        if first("evidence_text").strip():
            evidence = {"text": first("evidence_text"), "start": _int(first("evidence_start")),
                        "end": _int(first("evidence_end"))}
        back = {"saved": field, **({"at": first("at")} if _int(first("at")) else {})}
        request = {"article_id": article_id, "field": field, "action": action, "value": value,
                   "curator": curator, "reason": first("reason"), "expected": first("expected"),
                   **({"shown": shown} if shown is not store.ANY else {}), "evidence": evidence}
        try:
            with self.connection(write=True) as con:
                refused = self._save(con, request, typed)
        except Busy:
            # The nightly holds the warehouse: keep the save and apply it when it is free.
            inbox.enqueue(self.settings, request)
            return self.render("message.html", 202, title="Saved to the queue", curator=curator,
                               message=f"The nightly load holds the warehouse right now, so your "
                                       f"{action} of {field} was queued; it is applied as soon as the "
                                       "warehouse is free (conflicts are still checked).")
        if refused:
            return refused
        return redirect(f"{record_url(article_id)}?{urlencode(back)}#field-{field}")


    def _save(self, con, request: dict, typed: dict) -> Response | None:
        """Write one save (after any queued ones); a page saying why when it is refused."""
        article_id, field, curator = request["article_id"], request["field"], request["curator"]
        inbox.apply_inbox(con, self.settings)
        try:
            store.curate(con, article_id, field, request["action"], request["value"],
                         curator=curator, reason=request["reason"], expected=request["expected"],
                         shown=request.get("shown", store.ANY), evidence=request["evidence"])
        except store.Conflict as exc:
            log.info("conflict on %s %s for %s: %s", article_id, field, curator, exc)
            return self.record_page(article_id, curator, {}, 409, {field: ("conflict", str(exc))},
                                    typed, con=con)
        except store.CurationError as exc:
            log.info("refused %s %s %s by %s: %s", article_id, field, request["action"], curator, exc)
            if field not in FIELDS:
                return self.render("message.html", 400, title="Not saved", curator=curator,
                                   message=str(exc))
            return self.record_page(article_id, curator, {}, 400, {field: ("error", str(exc))},
                                    typed, con=con)
        return None


def _int(text) -> int | None:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


_REASONS = {200: "OK", 202: "Accepted", 303: "See Other", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 409: "Conflict", 415: "Unsupported Media Type",
            421: "Misdirected Request", 500: "Internal Server Error", 503: "Service Unavailable"}
