"""Full texts as Europe PMC and PMC serve them, from the corpus folder `pmc/`:

    GET /europepmc/webservices/rest/{PMCID|PPRID}/fullTextXML
        200 with the JATS `<article>` when the article is open access; 404 otherwise (as Europe
        PMC answers for an id it holds no full text for).
    GET|POST /entrez/eutils/efetch.fcgi?db=pmc&id=...
        200 with `<pmc-articleset>`: the whole article when open access; for a closed one the
        metadata-only reply NCBI sends (front matter and a comment, no body), also HTTP 200;
        an `<error>` element for an id PMC does not know.

`pmc/NAME.xml` holds one JATS `<article>`; it is keyed by its `pmc` article-id ("PMC123"), or
by the file name for preprints ("PPR900005.xml"). An article without `<body>` is closed.
"""

from __future__ import annotations

import re
from pathlib import Path

XML = "text/xml; charset=UTF-8"
PMC_DOCTYPE = ('<!DOCTYPE pmc-articleset PUBLIC "-//NLM//DTD ARTICLE SET 2.0//EN" '
               '"https://dtd.nlm.nih.gov/ncbi/pmc/articleset/nlm-articleset-2.0.dtd">')
CLOSED_COMMENT = ("<!--The publisher of this article does not allow downloading of the full text "
                  "in XML form.-->")
_PMC_ID = re.compile(rb'<article-id pub-id-type="pmc(?:id)?">\s*(?:PMC)?(\d+)\s*</article-id>')
_ARTICLE = re.compile(rb"<article\b.*</article>", re.S)
_BODY = re.compile(rb"<body\b.*?</body>|<back\b.*?</back>|<floats-group\b.*?</floats-group>", re.S)


def index(root: Path) -> dict[str, bytes]:
    """{"PMC123" | "PPR900005": article bytes} for every file in `root/pmc`."""
    out = {}
    for path in sorted((Path(root) / "pmc").glob("*.xml")):
        data = path.read_bytes()
        article = _ARTICLE.search(data)
        if not article:
            raise ValueError(f"{path}: no <article> element")
        match = _PMC_ID.search(data)
        key = f"PMC{match.group(1).decode()}" if match else path.stem.upper()
        out[key] = article.group(0)
    return out


def is_open(article: bytes) -> bool:
    return b"<body" in article


def _key(value: str) -> str:
    value = value.strip().upper()
    return f"PMC{value}" if value.isdigit() else value


def full_text_xml(state, article_id: str) -> tuple[int, bytes, str]:
    article = state.fulltexts.get(_key(article_id))
    if article is None or not is_open(article):
        return 404, b"", XML
    return 200, b'<?xml version="1.0" encoding="UTF-8"?>\n' + article, XML


def efetch_pmc(state, params: dict, truncated: bool = False) -> tuple[int, bytes, str]:
    parts = []
    for raw in re.split(r"[,\s]+", params.get("id", "").strip()):
        if not raw:
            continue
        article = state.fulltexts.get(_key(raw))
        if article is None:
            parts.append(f'<error id="{raw}">The following PMCID is not available: {raw}</error>'.encode())
        elif is_open(article):
            parts.append(article)
        else:
            parts.append(_BODY.sub(b"", article).replace(b"</front>", b"</front>" + CLOSED_COMMENT.encode(), 1))
    if not parts:
        parts.append(b"<error>Empty id list - nothing todo</error>")
    body = (b'<?xml version="1.0" ?>\n' + PMC_DOCTYPE.encode() + b"\n<pmc-articleset>"
            + b"".join(parts) + b"</pmc-articleset>\n")
    return 200, body, XML
