"""The night's batches are extracted in groups, each group on every core.

The DAG maps one extract task over each group of staged batches (`nightly.extraction_groups`);
a task spreads its batches over a process pool whose workers build the extractor once. The
rows must be what one process extracting batch by batch writes, and a retried task must not
extract anything twice.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from pipeline import nightly
from pipeline.extract import build_extractor
from pipeline.staging import StagedBatch


def _rows(batches: list[str]) -> list[dict]:
    return [json.loads(line) for b in batches
            for line in StagedBatch(Path(b)).extractions_path.read_text().splitlines()]


def test_groups_of_batches_extracted_on_every_core_equal_one_process(mirrored):
    settings = replace(mirrored, batch_size=40)
    batches = nightly.harvest_source(settings, "pubmed")
    groups = nightly.extraction_groups(batches, batches_per_group=6)
    assert len(groups) >= 2 and [b for g in groups for b in g] == batches
    assert all(1 <= len(g) <= 6 for g in groups)

    extracted = sum(nightly.extract_batches(g, settings.extractor_config) for g in groups)
    articles = sum(len(StagedBatch(Path(b)).contents()[0]) for b in batches)
    assert extracted == articles > 0
    pooled = _rows(batches)

    assert nightly.extract_batches(batches, settings.extractor_config) == 0   # a retry: nothing twice

    for b in batches:                      # the same batches, one process, one batch at a time
        StagedBatch(Path(b)).extractions_path.unlink()
    extractor = build_extractor(settings.extractor_config)
    for b in batches:
        nightly.extract_batch(b, extractor)
    assert _rows(batches) == pooled
