"""Europe PMC REST `search` (resultType=core, format=json, cursorMark paging) from the corpus.

Results come in a stable order (first index date, then id) so cursor paging is deterministic.
A cursor is opaque to clients; here it encodes the offset. On the last page the next cursor
equals the one sent, which is how Europe PMC tells a client it has reached the end.
"""

from __future__ import annotations

import base64
import json

from pipeline.mirror.fulltext import is_open
from pipeline.mirror.query import QueryError, compile_query

JSON = "application/json;charset=UTF-8"


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"litmine:{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    if cursor in ("", "*"):
        return 0
    try:
        prefix, _, offset = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if prefix != "litmine":
            raise ValueError
        return int(offset)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"invalid cursorMark {cursor!r}") from exc


def _with_links(result: dict, base_url: str) -> dict:
    text = json.dumps(result).replace("{mirror}", base_url)
    return json.loads(text)


def _with_holdings(result: dict, fulltexts: dict) -> dict:
    """`inEPMC` as the service states it: whether it holds the record's full text today, which
    the mirror knows from what `fullTextXML` serves (a recorded flag may be older)."""
    ids = [result.get(k) for k in ("pmcid", "id") if result.get(k)]
    held = [i for i in ids if is_open(fulltexts.get(str(i).upper(), b""))]
    out = dict(result, inEPMC="Y" if held else "N")
    if held:
        out["fullTextIdList"] = {"fullTextId": held}
    else:
        out.pop("fullTextIdList", None)
    return out


def search(state, params: dict, malformed: bool = False) -> tuple[int, bytes, str]:
    if params.get("format", "xml") != "json":
        return 400, b'{"error": "the mirror serves format=json only"}', JSON
    try:
        predicate = compile_query(params.get("query", ""))
        page_size = min(int(params.get("pageSize", 25)), 1000)
        cursor = params.get("cursorMark", "*")
        offset = decode_cursor(cursor)
    except (QueryError, ValueError) as exc:
        return 400, json.dumps({"errMsg": str(exc)}).encode(), JSON
    hits = sorted((e for e in state.corpus.europepmc if predicate(e.document)),
                  key=lambda e: (e.document.fields.get("FIRST_IDATE", ""), e.result.get("id", "")))
    page = [_with_holdings(_with_links(e.result, state.base_url), state.fulltexts)
            for e in hits[offset:offset + page_size]]
    if malformed and page:   # one result arrives without its id: readable, but not storable
        page[len(page) // 2] = {k: v for k, v in page[len(page) // 2].items() if k != "id"}
    next_offset = min(offset + page_size, len(hits))
    body = {
        "version": "6.9",
        "hitCount": len(hits),
        "nextCursorMark": encode_cursor(next_offset) if page else cursor,
        "request": {"queryString": params.get("query", ""), "resultType": params.get("resultType", "lite"),
                    "cursorMark": cursor, "pageSize": page_size, "sort": "", "synonym": False},
        "resultList": {"result": page},
    }
    return 200, json.dumps(body).encode(), JSON
