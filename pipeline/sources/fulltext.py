"""Full texts: fetch and parse the full text of each staged record, stage the result beside its
batch (`batch-NNN.fulltext.jsonl`), one line per record that has a full text to look for.

Where a full text comes from, first that answers:
1. a PMCID (PubMed's ArticleIdList, Europe PMC's `pmcid`): JATS from Europe PMC, then PMC;
2. a preprint: Europe PMC's JATS full text of the preprint, when it holds one;
3. the full-text web page a Europe PMC record links to (`parse.html_fulltext`): the structure
   an HTML page keeps (headings, paragraphs, table cells) is surer than a PDF's layout;
4. the PDF the record links to.

A Europe PMC record says whether Europe PMC holds its full text (`inEPMC`); where it says no,
the JATS request is not made: at a backfill's scale most preprints have none, and asking for each
would cost most of the harvest. The flag is what the search said on the day of the harvest, so
a later look at a closed record (`recheck`) asks anyway.

Each line says what happened (`status`):
    read             {"format": "jats"|"html"|"pdf", "url", "sha256", "licence", "parsed"}
    not_open_access  the text is closed today; the warehouse notes it and looks again later
    retry            a transient failure (5xx, timeout, cut transfer) after the client's own
                     retries; tried again on a later night, never quarantined for good
    failed           a permanent failure (corrupt, encrypted, refused URL, 404) with a
                     `quarantine` item carrying the reason
Fetching stays in the harvest, with the other network calls, so extraction and loading remain
offline. A batch whose full texts are staged is not fetched again, so a harvest killed here
resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from pipeline.config import Settings
from pipeline.models import Article, Quarantined, RawRecord
from pipeline.sources.fulltext_client import Fetched, FullTextClient, FullTextError
from pipeline.staging import StagedBatch, write_atomic


def wants_full_text(article: Article) -> bool:
    return bool(article.pmcid or article.preprint_id or article.pdf_url)


def _licence(raw: RawRecord, parsed: dict) -> str | None:
    licence = parsed.get("licence") or {}
    if licence.get("url") or licence.get("type"):
        return licence.get("url") or licence.get("type")
    if raw.content_type == "application/json":
        try:
            return json.loads(raw.payload).get("license")
        except (ValueError, AttributeError):
            return None
    return None


def _parse(fetched: Fetched, settings: Settings, pdf_parser) -> dict:
    if fetched.format == "jats":
        from pipeline.parse.jats import parse_jats
        return parse_jats(fetched.body)
    if fetched.format == "html":
        from pipeline.parse.html_fulltext import parse_html
        return parse_html(fetched.body)
    return pdf_parser.parse(fetched.body, max_bytes=settings.pdf_max_bytes)


def _europepmc_result(raw: RawRecord) -> dict | None:
    """The stored Europe PMC search result of a record from Europe PMC, else None."""
    if raw.source != "europepmc":
        return None
    try:
        result = json.loads(raw.payload)
    except ValueError:
        return None
    return result if isinstance(result, dict) else None


def _fetch(client: FullTextClient, article: Article, raw: RawRecord, recheck: bool = False) -> Fetched:
    from pipeline.parse.europepmc_json import holds_full_text, html_url

    result = _europepmc_result(raw)
    closed = None
    ask_jats = recheck or result is None or holds_full_text(result) is not False
    for article_id in (article.pmcid, article.preprint_id):
        if article_id and ask_jats:
            fetched = client.jats(article_id)
            if fetched.status == "read":
                return fetched
            closed = fetched
    page = html_url(result) if result else None
    if page:
        return client.html(page)
    if article.pdf_url:
        return client.pdf(article.pdf_url)
    return closed or Fetched("not_open_access")


def full_text_line(client: FullTextClient, raw: RawRecord, article: Article, settings: Settings,
                   pdf_parser, recheck: bool = False) -> dict:
    """The staged line for one record (see module docstring)."""
    from pipeline.parse.errors import PdfError
    from pipeline.parse.html_fulltext import HtmlError
    from pipeline.parse.jats import JatsError

    record_id = article.record_id
    try:
        fetched = _fetch(client, article, raw, recheck)
        if fetched.status != "read":
            return {"id": record_id, "status": fetched.status, "url": fetched.url}
        parsed = _parse(fetched, settings, pdf_parser)
        if fetched.format == "jats" and not parsed.get("open_access", True):
            return {"id": record_id, "status": "not_open_access", "url": fetched.url}
        return {"id": record_id, "status": "read", "format": fetched.format, "url": fetched.url,
                "pdf_url": fetched.url, "sha256": hashlib.sha256(fetched.body).hexdigest(),
                "licence": _licence(raw, parsed), "parsed": parsed}
    except FullTextError as exc:
        if exc.transient:
            return {"id": record_id, "status": "retry", "reason": str(exc)}
        reason = str(exc)
    except (JatsError, HtmlError, PdfError) as exc:
        reason = f"full text of {record_id}: {exc}"
    payload = json.dumps({"id": record_id, "pmcid": article.pmcid, "pdf_url": article.pdf_url})
    return {"id": record_id, "status": "failed", "reason": reason, "quarantine": asdict(Quarantined(
        source=article.source, stage="pdf", reason=reason, payload=payload, source_id=article.source_id))}


def stage_fulltexts(client: FullTextClient, batch: StagedBatch, settings: Settings,
                    recheck: bool = False) -> int:
    """Fetch and parse the batch's full texts; the number of records that had one to look for.
    `recheck`: the batch holds stored records due another look, whose flags may be stale."""
    if batch.fulltext_path.exists():
        return 0
    from pipeline.parse.pdf_bounded import BoundedPdfParser

    # One child process per batch, started on the first PDF (it loads spaCy's vocabularies).
    with BoundedPdfParser() as pdf_parser:
        lines = [full_text_line(client, raw, article, settings, pdf_parser, recheck)
                 for raw, article in batch.articles() if wants_full_text(article)]
    write_atomic(batch.fulltext_path,
                 "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    return len(lines)

