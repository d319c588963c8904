"""An analyst's open connection on the published snapshot never blocks or breaks the nightly
load, and the marts are exported as Parquet beside it.

DuckDB locks per process, so the reader runs in its own process: it opens the snapshot
read-only, queries, says "ready", and keeps the connection open while this process loads new
rows with the real loader and publishes; then it queries again on the same connection (the old
snapshot, still intact), reconnects (the new snapshot), and exits 0.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import date

import duckdb

from pipeline.models import Article, RawRecord
from pipeline.staging import StagedWindow
from pipeline.warehouse import db
from pipeline.warehouse.exports import export_marts, exports_dir
from pipeline.warehouse.load import load_window
from pipeline.warehouse.publish import publish_snapshot

READER = textwrap.dedent("""
    import sys, duckdb
    path = sys.argv[1]
    count = "SELECT count(*) FROM marts.evidence_table"
    con = duckdb.connect(path, read_only=True)
    print("ready", con.execute(count).fetchone()[0], flush=True)
    sys.stdin.readline()                      # held open while the writer loads and publishes
    print("same", con.execute(count).fetchone()[0], flush=True)
    # DuckDB shares one database instance per path within a process: an analyst sees the new
    # snapshot after closing every connection to the old one and connecting again.
    con.close()
    fresh = duckdb.connect(path, read_only=True)
    print("fresh", fresh.execute(count).fetchone()[0], flush=True)
    fresh.close()
""")


def article(pmid: str, day: date) -> Article:
    return Article(source="pubmed", source_id=pmid, pmid=pmid, doi=f"10.5555/snap.{pmid}",
                   title=f"Genicular cryoneurolysis {pmid}", authors=["Tester A"],
                   abstract=f"Forty patients ({pmid}) had ultrasound-guided genicular cryoneurolysis.",
                   year=2024, language="eng", entrez_date=day.isoformat())


def stage(settings, pmids: list[str], day: date) -> StagedWindow:
    """A completely harvested and extracted window, as the nightly stages leave it."""
    window = StagedWindow(settings.staging_dir, "pubmed", settings.query, day, day)
    records = []
    for pmid in pmids:
        a = article(pmid, day)
        raw = RawRecord(source="pubmed", source_id=pmid, payload=f"<x>{a.abstract}</x>",
                        content_type="application/xml", fetched_at=f"{day}T03:00:00+00:00")
        records.append((raw, replace(a, raw_hash=raw.hash)))
    batch = window.write_batch("batch-0000000", records, [], len(records), len(records))
    batch.extractions_path.write_text("".join(json.dumps({
        "id": f"pubmed:{pmid}", "extractor_version": "t1", "relevant": True, "design": "rct",
        "sample_size": 40, "targets": ["genicular nerves"], "target_groups": ["genicular"],
        "guidance": ["ultrasound"], "follow_up_days": 180, "flags": [], "evidence": {}}) + "\n"
        for pmid in pmids))
    window.manifest.complete = True
    window.save()
    return window


def test_a_reader_holding_the_snapshot_does_not_block_the_nightly_load(settings):
    writer = db.connect(settings)
    load_window(writer, stage(settings, ["990001001", "990001002"], date(2024, 3, 5)), "run-1")
    publish_snapshot(writer, settings.warehouse, settings.published)
    writer.close()

    reader = subprocess.Popen([sys.executable, "-c", READER, str(settings.published)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        assert reader.stdout.readline().split() == ["ready", "2"]
        # The night's load, while the analyst's connection stays open on the snapshot.
        writer = db.connect(settings)
        counts = load_window(writer, stage(settings, ["990001003"], date(2024, 3, 6)), "run-2")
        publish_snapshot(writer, settings.warehouse, settings.published)
        exported = export_marts(writer, exports_dir(settings))
        writer.close()
        assert counts.new == 1
        out, err = reader.communicate("go\n", timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0, err
    assert out.split("\n")[:2] == ["same 2", "fresh 3"]
    assert {p.name for p in exported} >= {"evidence_table.parquet", "curation_backlog.parquet"}


def test_export_marts_writes_one_parquet_file_per_mart(settings, tmp_path):
    con = db.connect(settings)
    load_window(con, stage(settings, ["990001001", "990001002"], date(2024, 3, 5)), "run-1")
    marts = [n for (n,) in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE schema_name = 'marts' ORDER BY 1").fetchall()]
    paths = export_marts(con, tmp_path / "exports")
    assert [p.stem for p in paths] == marts
    # One export per mart (a file, or a folder of year partitions), beside a hidden manifest.
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()
                  if not p.name.startswith(".")) == [f"{m}.parquet" for m in marts]
    for path in paths:
        in_parquet = duckdb.connect().execute(f"SELECT count(*) FROM '{path}'").fetchone()[0]
        assert in_parquet == con.execute(f"SELECT count(*) FROM marts.{path.stem}").fetchone()[0]
    studies = duckdb.connect().execute(
        f"SELECT study, patients, target_groups FROM '{tmp_path / 'exports' / 'evidence_table.parquet'}'"
        " ORDER BY article_id").fetchall()
    assert studies == [("Tester A 2024", 40, ["genicular"])] * 2
    assert export_marts(con, tmp_path / "exports") == paths      # rerun: same files, replaced
    con.close()
