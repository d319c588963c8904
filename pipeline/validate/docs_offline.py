"""Great Expectations Data Docs that work offline: no CDN, our own small CSS and JS.

What: `make_offline(docs_dir)` rewrites every page of a built Data Docs site: the stylesheets
and scripts GX links from CDNs (Bootstrap, jQuery, bootstrap-table, Font Awesome, Vega) are
removed, and two local files are linked instead, copied to `static/litmine/`: `docs.css` (the
few Bootstrap classes the pages use, icons as characters) and `docs.js` (the sliver of jQuery
and bootstrap-table the pages' inline scripts call: ready, bootstrapTable with columns and
data, parent/each/fadeIn/fadeOut, on).

Why: the index page lists validation runs through bootstrap-table from a CDN, so with no
network it was blank. The machines that build and read these docs are offline by design, and
fetching those libraries needs a network at install time; the pages need only a small part of
them, written here.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "docs_static"
_REMOTE_SCRIPT = re.compile(r'<script\b[^>]*\bsrc="(?:https?:)?//[^"]*"[^>]*>\s*</script>', re.I)
_REMOTE_LINK = re.compile(r'<link\b[^>]*\bhref="(?:https?:)?//[^"]*"[^>]*/?>', re.I)
_MARK = "<!-- litmine: offline assets -->"


def make_offline(docs_dir: Path) -> int:
    """Point every Data Docs page at local assets; return how many pages were rewritten."""
    docs_dir = Path(docs_dir)
    target = docs_dir / "static" / "litmine"
    target.mkdir(parents=True, exist_ok=True)
    for name in ("docs.css", "docs.js"):
        shutil.copyfile(STATIC / name, target / name)
    rewritten = 0
    for page in docs_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if _MARK in html:
            continue
        html = _REMOTE_LINK.sub("", _REMOTE_SCRIPT.sub("", html))
        up = Path(os.path.relpath(target, page.parent)).as_posix()
        assets = (f'{_MARK}<link rel="stylesheet" href="{up}/docs.css">'
                  f'<script src="{up}/docs.js"></script>')
        html = re.sub(r"(<head[^>]*>)", lambda m: m.group(1) + assets, html, count=1, flags=re.I)
        page.write_text(html, encoding="utf-8")
        rewritten += 1
    return rewritten
