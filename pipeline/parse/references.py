"""Numbered reference lists -> [{"number", "text", "doi", "first_author", "year"}].

Method
* The input is the reference section's lines in reading order. An entry starts at a line that
  opens with the next expected number ("12.", "12)", "[12]", or "12 " followed by a capital
  letter); any other line continues the entry before it, joined with the document's
  de-hyphenation (a hyphen, slash or underscore at a line end inside a DOI or URL is kept, with
  no space; so is a final dot when the next line is one DOI-like token).
* DOI: "doi:10.x/...", "https://doi.org/10.x/..." or a bare "10.NNNN/..." string; trailing
  punctuation is dropped and the DOI is lower-cased (DOIs are case-insensitive).
* first_author: the first surname (the text before the first initials / comma); year: a
  four-digit 19xx/20xx year, preferring one followed by ";", "(", ":" or ")" as in Vancouver
  and APA styles.
* A list without numbers (author-year style) is split at lines that start at the left edge of
  the list with "Surname X" and numbered 1, 2, ... in order.
"""

from __future__ import annotations

import re

_START = re.compile(r"^\s*(?:\[(\d{1,3})\]|(\d{1,3})[.)]|(\d{1,3})(?=\s+[A-Z]))\s*")
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.I)
_YEAR_STRONG = re.compile(r"\b((?:19|20)\d{2})[a-z]?(?=\s*[;:(),.])")
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
_AUTHOR = re.compile(r"^\s*([A-Z][A-Za-z'\u00C0-\u024F-]+(?:\s+(?:van|von|de|der|da|di|la|le)\s+[A-Z][A-Za-z'\u00C0-\u024F-]+)*)")
_AUTHOR_LINE = re.compile(r"^[A-Z][A-Za-z'\u00C0-\u024F-]+,?\s+(?:[A-Z]\.?\s?){1,3}[,.]")


def _join(left: str, right: str, dehyph) -> str:
    if not left:
        return right
    if re.search(r"(?:10\.\d{4,9}/\S*|https?://\S*)$", left) and (
            re.search(r"[-/_]$", left) or (left.endswith(".") and re.fullmatch(r"[\w.()/-]+", right))):
        return left + right
    if dehyph is not None:
        return dehyph.join(left, right)
    return left + " " + right


def parse_references(lines: list[str], dehyph=None) -> list[dict]:
    """Reference-section lines -> numbered references (see module docstring)."""
    if dehyph is None:
        from .pdf_text import Dehyphenator
        dehyph = Dehyphenator(lines)
    entries: list[tuple[int, str]] = []
    expected = 1
    for text in lines:
        text = text.strip()
        if not text:
            continue
        m = _START.match(text)
        num = int(next(g for g in m.groups() if g)) if m else None
        if num is not None and (num == expected or (not entries and num == 1)):
            entries.append((num, text[m.end():]))
            expected = num + 1
        elif entries:
            entries[-1] = (entries[-1][0], _join(entries[-1][1], text, dehyph))
    if not entries:
        entries = _unnumbered(lines, dehyph)
    return [reference(n, t) for n, t in entries]


def _unnumbered(lines: list[str], dehyph) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for text in lines:
        text = text.strip()
        if _AUTHOR_LINE.match(text) and (not out or re.search(r"[.)]$|\d$", out[-1][1])):
            out.append((len(out) + 1, text))
        elif out:
            out[-1] = (out[-1][0], _join(out[-1][1], text, dehyph))
    return out


def find_doi(text: str) -> str | None:
    m = _DOI.search(text)
    if not m:
        return None
    return m.group(1).rstrip(".,;:)]}").lower()


def reference(number: int, text: str) -> dict:
    text = re.sub(r"\s+", " ", text).strip()
    a = _AUTHOR.match(text)
    y = _YEAR_STRONG.search(text) or _YEAR.search(text)
    return {"number": number, "text": text, "doi": find_doi(text),
            "first_author": a.group(1) if a else None, "year": int(y.group(1)) if y else None}
