"""Full texts: fetch the PDF each staged record links to, parse it, stage the result beside
its batch (`batch-NNN.fulltext.jsonl`).

Fetching stays in the harvest, with the other network calls, so extraction and loading remain
offline. Each PDF is size-capped, time-bounded and checked to be a PDF by the client; a PDF
that cannot be had or read (encrypted, corrupt, truncated, no text layer, absurdly long) becomes
a quarantine line with the reason, and the batch goes on. A batch whose full texts are staged is
not fetched again, so a harvest killed here resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from pipeline.config import Settings
from pipeline.models import Quarantined
from pipeline.sources.http import SourceError
from pipeline.staging import StagedBatch, write_atomic


def stage_fulltexts(client, batch: StagedBatch, settings: Settings) -> int:
    """Fetch and parse the batch's linked PDFs; the number of records that had one."""
    if batch.fulltext_path.exists():
        return 0
    # Imported here, not at module level: the PDF parser's field normalisers load spaCy (~2 s),
    # which every process importing the harvest (the CLI, each DAG file parse) would pay.
    from pipeline.parse.pdf import PdfError, parse_pdf

    lines = []
    for _, article in batch.articles():
        if not article.pdf_url:
            continue
        record_id = article.record_id
        try:
            data = client.fetch_pdf(article.pdf_url)
            parsed = parse_pdf(data, max_bytes=settings.pdf_max_bytes)
            lines.append({"id": record_id, "pdf_url": article.pdf_url,
                          "sha256": hashlib.sha256(data).hexdigest(), "parsed": parsed})
        except (PdfError, SourceError) as exc:
            payload = json.dumps({"pdf_url": article.pdf_url, "id": record_id})
            lines.append({"id": record_id, "quarantine": asdict(Quarantined(
                source=article.source, stage="pdf", reason=f"PDF {article.pdf_url}: {exc}",
                payload=payload, source_id=article.source_id))})
    write_atomic(batch.fulltext_path,
                 "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    return len(lines)
