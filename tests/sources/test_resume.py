"""A harvest killed mid-way (SIGKILL, no cleanup) resumes from its last staged batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace

from pipeline import nightly
from pipeline.config import ENV
from pipeline.staging import staged_windows
from pipeline.warehouse import db


def test_killed_harvest_resumes_without_loss_or_duplicates(settings, mirror):
    env = dict(os.environ, **{
        ENV["warehouse"]: str(settings.warehouse), ENV["staging"]: str(settings.staging_dir),
        ENV["pubmed_url"]: f"{mirror.base_url}/entrez/eutils/", ENV["harvest_start"]: "2023-01-01",
        ENV["batch_size"]: "50", ENV["http_backoff"]: "0.01",
    })
    process = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "harvest", "--source", "pubmed"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    manifest = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        found = list(settings.staging_dir.glob("pubmed/*/*/manifest.json"))
        if found:
            manifest = json.loads(found[0].read_text())
            if len(manifest["batches"]) >= 2:
                break
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert manifest and 2 <= len(manifest["batches"]) < 9, "the kill must land mid-harvest"
    killed_window = staged_windows(settings.staging_dir)[0]
    assert not killed_window.manifest.complete
    staged_before = len(killed_window.manifest.batches)

    resumed = nightly.harvest_source(replace(settings.with_mirror(mirror.base_url), batch_size=50),
                                     "pubmed")
    assert len(resumed) == 9   # 450 records in batches of 50
    offsets = [int(r["params"]["retstart"]) for r in mirror.requests("efetch")]
    # Every batch fetched before the kill is not fetched again (one may have been in flight).
    assert len(offsets) - len(set(offsets)) <= 1
    assert set(offsets) == {50 * i for i in range(9)}
    assert staged_before >= 2

    nightly.load_staged(settings, "run-resumed")
    con = db.connect(settings, read_only=True)
    rows, distinct = con.execute("SELECT count(*), count(DISTINCT pmid) FROM core.articles").fetchone()
    con.close()
    assert rows == distinct == 450
