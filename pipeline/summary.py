"""What a run did, in the words an operator reads in the morning."""

from __future__ import annotations

from dataclasses import dataclass, field

from pathlib import Path

import duckdb

from pipeline.config import Settings


@dataclass
class RunSummary:
    run_id: str
    sources: list[dict] = field(default_factory=list)
    designs: list[tuple[str, int]] = field(default_factory=list)
    articles: int = 0
    relevant: int = 0
    flagged_records: int = 0
    flagged_by_extractor: int = 0
    flagged_by_validation: int = 0
    flags_this_run: int = 0
    quarantined_total: int = 0
    warehouse: str = ""
    published: str = ""
    docs: str = ""
    report: str = ""

    @property
    def new(self) -> int:
        return sum(s["new"] for s in self.sources)

    def text(self) -> str:
        lines = [f"litmine run {self.run_id}"]
        lines.append(f"  {'source':<10} {'window':<23} {'status':<9} {'fetched':>7} {'new':>5} "
                     f"{'changed':>7} {'quarant.':>8}")
        for s in self.sources:
            window = f"{s['window_start']}..{s['window_end']}" if s["window_start"] else "(nothing new)"
            lines.append(f"  {s['source']:<10} {window:<23} {s['status']:<9} {s['fetched']:>7} "
                         f"{s['new']:>5} {s['changed']:>7} {s['quarantined']:>8}")
            if s.get("error"):
                lines.append(f"    error: {s['error']}")
            if s.get("notes"):
                lines.append(f"    note: {s['notes']}")
        lines.append(f"  warehouse: {self.articles} articles, {self.relevant} relevant to the topic")
        if self.designs:
            lines.append("  relevant studies by design: " +
                         ", ".join(f"{d} {n}" for d, n in self.designs))
        lines.append(f"  flagged for curators: {self.flagged_records} records ({self.flagged_by_extractor} "
                     f"by the extractor, {self.flagged_by_validation} by validation, "
                     f"{self.flags_this_run} validation flags new this run)")
        lines.append(f"  quarantined: {self.quarantined_total} records in ops.quarantine")
        lines.append(f"  database:  {self.warehouse}")
        lines.append(f"  snapshot:  {self.published}")
        lines.append(f"  data docs: {self.docs}")
        lines.append(f"  report:    {self.report}")
        return "\n".join(lines)


def summarize(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str | None = None) -> RunSummary:
    if run_id is None:
        row = con.execute("SELECT run_id FROM ops.runs ORDER BY finished_at DESC LIMIT 1").fetchone()
        run_id = row[0] if row else "(none)"
    summary = RunSummary(run_id=run_id, warehouse=str(settings.warehouse),
                         published=str(settings.published), docs=str(settings.docs_dir / "index.html"),
                         report=str(Path(settings.warehouse).parent / "report" / "index.html"))
    cursor = con.execute("""SELECT source, window_start, window_end, status, fetched, new, changed,
                                   quarantined, error, notes FROM ops.runs WHERE run_id = ?
                            ORDER BY source""",
                         [run_id])
    names = [d[0] for d in cursor.description]
    summary.sources = [dict(zip(names, row)) for row in cursor.fetchall()]
    summary.articles = con.execute("SELECT count(*) FROM core.articles_current").fetchone()[0]
    summary.relevant = con.execute(
        "SELECT count(*) FROM core.extractions_latest WHERE relevant").fetchone()[0]
    summary.designs = con.execute("""SELECT coalesce(design, 'unknown'), count(*) FROM core.extractions_latest
                                     WHERE relevant GROUP BY 1 ORDER BY 2 DESC, 1""").fetchall()
    summary.flagged_by_extractor, summary.flagged_by_validation, summary.flagged_records = con.execute("""
        WITH by_extractor AS (SELECT article_id FROM core.extractions_latest
                              WHERE json_array_length(coalesce(flags, '[]')) > 0),
             by_validation AS (SELECT DISTINCT record_id AS article_id FROM ops.flags)
        SELECT (SELECT count(*) FROM by_extractor), (SELECT count(*) FROM by_validation),
               (SELECT count(*) FROM (SELECT * FROM by_extractor UNION SELECT * FROM by_validation))
        """).fetchone()
    summary.flags_this_run = con.execute(
        "SELECT count(*) FROM ops.flags WHERE run_id = ?", [run_id]).fetchone()[0]
    summary.quarantined_total = con.execute("SELECT count(*) FROM ops.quarantine").fetchone()[0]
    return summary
