"""The hand-off between stages: a harvested window staged on disk as JSON-lines batches.

    staging/<source>/<query hash>/<since>_<until>/
        manifest.json                    progress: count, next offset or cursor, complete?
        batch-0000000.jsonl              {"raw": RawRecord, "article": Article} | {"quarantine": ...}
        batch-0000000.fulltext.jsonl     parsed PDFs of the batch's records (or why not)
        batch-0000000.extractions.jsonl  one extraction per article line, same order

Harvest tasks write here and never open the warehouse for writing, so any number of them may
run at once while the loader stays DuckDB's single writer. Every file is written to a temporary
name and renamed into place, and the manifest is updated only after its batch is on disk, so a
harvest killed at any instant resumes from the last batch it finished, without duplicates.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterator

from pipeline.models import Article, Quarantined, RawRecord, utc_now


def query_hash(query: str) -> str:
    return hashlib.sha256(" ".join(query.split()).encode()).hexdigest()[:16]


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@dataclass
class Manifest:
    source: str
    query: str
    since: str
    until: str
    count: int | None = None        # records the source reported for the window
    next: int | str | None = None   # next offset (PubMed) or cursor (Europe PMC)
    batches: list[str] = field(default_factory=list)
    fetched: int = 0
    rejected: int = 0
    complete: bool = False
    error: str | None = None
    missing: list[str] = field(default_factory=list)   # counted ids the source did not deliver
    notes: list[str] = field(default_factory=list)     # what the run should report (capped waits)
    requested: str = ""   # "since_until" of the harvest this window is (part of)
    started_at: str = field(default_factory=lambda: utc_now().isoformat())
    updated_at: str = ""


@dataclass
class StagedBatch:
    path: Path

    @property
    def extractions_path(self) -> Path:
        return self.path.with_name(self.path.stem + ".extractions.jsonl")

    @property
    def fulltext_path(self) -> Path:
        return self.path.with_name(self.path.stem + ".fulltext.jsonl")

    def fulltexts(self) -> dict[str, dict]:
        """Staged full texts by record id: {"parsed": ...} or {"quarantine": ...}."""
        if not self.fulltext_path.exists():
            return {}
        with self.fulltext_path.open(encoding="utf-8") as handle:
            return {line["id"]: line for line in map(json.loads, handle) if line}

    def lines(self) -> Iterator[dict]:
        with self.path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield json.loads(line)

    def articles(self) -> Iterator[tuple[RawRecord, Article]]:
        return iter(self.contents()[0])

    def contents(self) -> tuple[list[tuple[RawRecord, Article]], list[Quarantined]]:
        """The batch's records and its quarantined items, in one read of the file."""
        records, quarantined = [], []
        for line in self.lines():
            if "article" in line:
                records.append((RawRecord(**line["raw"]), Article.from_dict(line["article"])))
            elif "quarantine" in line:
                quarantined.append(Quarantined(**line["quarantine"]))
        return records, quarantined

    def extractions(self) -> list[dict]:
        if not self.extractions_path.exists():
            return []
        with self.extractions_path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]


class StagedWindow:
    def __init__(self, root: Path, source: str, query: str, since: date, until: date) -> None:
        self.dir = Path(root) / source / query_hash(query) / f"{since.isoformat()}_{until.isoformat()}"
        self.manifest_path = self.dir / "manifest.json"
        if self.manifest_path.exists():
            self.manifest = Manifest(**json.loads(self.manifest_path.read_text()))
        else:
            self.manifest = Manifest(source=source, query=query, since=since.isoformat(),
                                     until=until.isoformat())

    @property
    def source(self) -> str:
        return self.manifest.source

    @property
    def since(self) -> date:
        return date.fromisoformat(self.manifest.since)

    @property
    def until(self) -> date:
        return date.fromisoformat(self.manifest.until)

    def save(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.manifest.updated_at = utc_now().isoformat()
        write_atomic(self.manifest_path, json.dumps(asdict(self.manifest), indent=1))

    def write_batch(self, name: str, records: list[tuple[RawRecord, Article]],
                    rejects: list[Quarantined], next_position: int | str, count: int) -> StagedBatch:
        """Stage one batch, then record the progress past it."""
        self.dir.mkdir(parents=True, exist_ok=True)
        lines = [json.dumps({"raw": asdict(raw), "article": article.to_dict()}, ensure_ascii=False)
                 for raw, article in records]
        lines += [json.dumps({"quarantine": asdict(q)}, ensure_ascii=False) for q in rejects]
        path = self.dir / f"{name}.jsonl"
        write_atomic(path, "\n".join(lines) + ("\n" if lines else ""))
        if name + ".jsonl" not in self.manifest.batches:
            self.manifest.batches.append(name + ".jsonl")
            self.manifest.fetched += len(records)
            self.manifest.rejected += len(rejects)
        self.manifest.next, self.manifest.count = next_position, count
        self.save()
        return StagedBatch(path)

    def restart(self) -> None:
        """Forget staged batches: the window changed at the source since they were fetched."""
        for name in self.manifest.batches:
            batch = StagedBatch(self.dir / name)
            for path in (batch.path, batch.extractions_path, batch.fulltext_path):
                path.unlink(missing_ok=True)
        self.manifest.batches, self.manifest.fetched, self.manifest.rejected = [], 0, 0
        self.manifest.next, self.manifest.complete, self.manifest.missing = None, False, []

    def batches(self) -> list[StagedBatch]:
        return [StagedBatch(self.dir / name) for name in self.manifest.batches]

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def staged_windows(root: Path) -> list[StagedWindow]:
    """Every window on disk, oldest first: what the loader has still to take in."""
    found = []
    for manifest in sorted(Path(root).glob("*/*/*/manifest.json")):
        data = json.loads(manifest.read_text())
        found.append(StagedWindow(root, data["source"], data["query"],
                                  date.fromisoformat(data["since"]), date.fromisoformat(data["until"])))
    return sorted(found, key=lambda w: (w.since, w.source))
