"""CI's small soak: a few nights of `litmine run` with seeded faults while readers hit the UI
and the snapshot (benchmarks/soak.py runs the full 50 nights over 20,000 records)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from soak import soak  # noqa: E402


@pytest.mark.slow
def test_a_few_faulty_nights_lose_nothing_duplicate_nothing_and_readers_fail_none(tmp_path):
    # Seed 12: night 1 has transient faults, night 2 an expired history session and PubMed down
    # all night, night 3 is clean and must bring everything in.
    figures = soak(tmp_path, nights=3, records=240, seed=12, log=lambda line: None)
    assert figures["faults_planned"] >= 5 and figures["nights_failed"] == [2]
    assert figures["lost"] == 0 and figures["duplicated"] == 0
    assert figures["failed_by_readers"] == 0
    assert figures["loaded"] + figures["quarantined"] == figures["expected"] > 240
    assert figures["snapshot_reads"] > 0
    assert figures["snapshot_errors"] == 0, figures["reader_error_samples"]
