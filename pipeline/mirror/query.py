"""Boolean search queries as PubMed and Europe PMC accept them, evaluated over mirror documents.

Grammar (both services share it in the parts litmine uses):

    expr    := and_expr (OR and_expr)*
    and_expr:= not_expr ((AND)? not_expr)*        # juxtaposition means AND
    not_expr:= primary (NOT primary)*             # PubMed's binary NOT
    primary := "(" expr ")" | term
    term    := word["*"][ "[tag]" ] | "quoted phrase"[ "[tag]" ]
             | FIELD:value | FIELD:"phrase" | FIELD:[from TO to]   # Europe PMC

Words match whole words, case-insensitively; a trailing `*` matches any ending. PubMed field
tags narrow the text searched ([ti], [tiab], [pt], [mh]); Europe PMC fields SRC, PUB_TYPE and
the date ranges FIRST_PDATE / FIRST_IDATE filter on metadata. PubMed's automatic term mapping is
not reproduced: the mirror is a protocol double, not a search engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r'''
    (?P<lpar>\() | (?P<rpar>\)) |
    (?P<range>[A-Z_]+:\[\s*[^\]]*?\s+TO\s+[^\]]*?\s*\]) |
    (?P<fieldphrase>[A-Z_]+:"[^"]*") |
    (?P<phrase>"[^"]*"(?:\[[^\]]+\])?) |
    (?P<word>[^\s()"]+)
''', re.X)


class QueryError(ValueError):
    pass


@dataclass
class Document:
    """What the mirror knows of one record for searching."""

    title: str
    abstract: str = ""
    publication_types: list[str] = field(default_factory=list)
    mesh_terms: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)   # SRC, FIRST_PDATE, ... (upper case)

    def text(self, tag: str | None) -> str:
        tag = (tag or "").lower()
        if tag in ("ti", "title"):
            return self.title
        if tag in ("pt", "publication type"):
            return " ".join(self.publication_types)
        if tag in ("mh", "mesh", "mesh terms"):
            return " ".join(self.mesh_terms)
        if tag in ("tiab", "title/abstract", "ab", "abstract"):
            return f"{self.title} {self.abstract}"
        return " ".join([self.title, self.abstract, *self.publication_types, *self.mesh_terms])


Predicate = "callable[[Document], bool]"


def _matcher(value: str, tag: str | None):
    value = value.strip().lower()
    if not value:
        raise QueryError("empty search term")
    words = [re.escape(w) for w in value.split()]
    if words[-1].endswith(r"\*"):
        words[-1] = words[-1][:-2] + r"\w*"
    pattern = re.compile(r"(?<!\w)" + r"[\s\-]+".join(words) + r"(?!\w)", re.I)
    return lambda doc: bool(pattern.search(doc.text(tag)))


def _field_term(name: str, value: str):
    name = name.upper()
    if name in ("SRC", "PUB_TYPE", "LANG"):
        wanted = value.strip('"').lower()
        key = {"PUB_TYPE": "PUB_TYPE", "SRC": "SRC", "LANG": "LANG"}[name]
        return lambda doc: wanted in doc.fields.get(key, "").lower().split("|")
    if name in ("TITLE",):
        return _matcher(value.strip('"'), "ti")
    if name in ("ABSTRACT",):
        return _matcher(value.strip('"'), "ab")
    return _matcher(value.strip('"'), None)


def _range_term(token: str):
    name, _, rest = token.partition(":")
    low, _, high = rest.strip()[1:-1].partition(" TO ")
    low, high = low.strip().strip('"'), high.strip().strip('"')
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", low) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", high):
        raise QueryError(f"date range must be [YYYY-MM-DD TO YYYY-MM-DD]: {token}")
    name = name.upper()
    return lambda doc: low <= doc.fields.get(name, "") <= high if doc.fields.get(name) else False


def _term(token: str):
    match = re.fullmatch(r'"([^"]*)"(?:\[([^\]]+)\])?', token)
    if match:
        return _matcher(match.group(1), match.group(2))
    match = re.fullmatch(r"([A-Z_]+):(.+)", token)
    if match:
        return _field_term(match.group(1), match.group(2))
    match = re.fullmatch(r"([^\[]+)(?:\[([^\]]+)\])?", token)
    if not match:
        raise QueryError(f"cannot read search term {token!r}")
    return _matcher(match.group(1), match.group(2))


def tokenize(query: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    query = query.strip()
    while pos < len(query):
        if query[pos].isspace():
            pos += 1
            continue
        match = _TOKEN.match(query, pos)
        if not match:
            raise QueryError(f"unexpected character at {pos}: {query[pos:pos + 10]!r}")
        kind = match.lastgroup
        text = match.group(kind)
        if kind == "word" and text in ("AND", "OR", "NOT"):
            kind = text
        tokens.append((kind, text))
        pos = match.end()
    return tokens


def compile_query(query: str):
    """A predicate over Documents; QueryError for a query the services would reject."""
    tokens = tokenize(query)
    if not tokens:
        raise QueryError("empty query")
    pos = 0

    def peek():
        return tokens[pos][0] if pos < len(tokens) else None

    def take(kind=None):
        nonlocal pos
        if pos >= len(tokens) or (kind and tokens[pos][0] != kind):
            raise QueryError(f"expected {kind or 'a term'} at token {pos}")
        pos += 1
        return tokens[pos - 1]

    def primary():
        if peek() == "lpar":
            take("lpar")
            inner = expr()
            take("rpar")
            return inner
        kind, text = take()
        if kind == "range":
            return _range_term(text)
        if kind in ("word", "phrase", "fieldphrase"):
            return _term(text)
        raise QueryError(f"unexpected {text!r}")

    def not_expr():
        left = primary()
        while peek() == "NOT":
            take("NOT")
            right = primary()
            left = (lambda a, b: lambda d: a(d) and not b(d))(left, right)
        return left

    def and_expr():
        left = not_expr()
        while peek() in ("AND", "word", "phrase", "fieldphrase", "range", "lpar"):
            if peek() == "AND":
                take("AND")
            right = not_expr()
            left = (lambda a, b: lambda d: a(d) and b(d))(left, right)
        return left

    def expr():
        left = and_expr()
        while peek() == "OR":
            take("OR")
            right = and_expr()
            left = (lambda a, b: lambda d: a(d) or b(d))(left, right)
        return left

    predicate = expr()
    if pos != len(tokens):
        raise QueryError(f"unexpected {tokens[pos][1]!r} at token {pos}")
    return predicate
