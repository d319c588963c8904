"""The image holds everything the package needs: its file list is built from the Dockerfile's
COPY lines (and .dockerignore), laid out in a folder, and `litmine run --offline` runs from it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.test_compose import ROOT, dockerfile_copies, dockerignored

APP = "/opt/litmine"


def image_tree(root: Path) -> Path:
    """The files the Dockerfile copies into the image, at their image paths under `root`."""
    for source, dest in dockerfile_copies():
        if not dest.startswith(APP):
            continue
        origin = ROOT / source
        files = [origin] if origin.is_file() else [p for p in origin.rglob("*") if p.is_file()]
        for path in files:
            relative = path.relative_to(ROOT).as_posix()
            if dockerignored(relative) or "__pycache__" in relative:
                continue
            inside = path.relative_to(origin) if origin.is_dir() else Path(path.name)
            target = root / dest.lstrip("/") / inside if origin.is_dir() else \
                root / dest.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return root / APP.lstrip("/")


def test_litmine_runs_offline_from_the_image_files(tmp_path):
    app = image_tree(tmp_path / "image")
    data = tmp_path / "data"
    # As the image runs it: the package from /opt/litmine (an editable install), nothing else.
    env = dict(os.environ, PYTHONPATH=str(app), PYTHONSAFEPATH="",
               LITMINE_WAREHOUSE=str(data / "litmine.duckdb"))
    where = subprocess.run([sys.executable, "-c", "import pipeline.config as c; print(c.PROJECT_ROOT)"],
                           cwd=app, env=env, capture_output=True, text=True, timeout=60)
    assert Path(where.stdout.strip()) == app, where.stderr
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "--offline"], cwd=app,
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    con = duckdb.connect(str(data / "published" / "litmine.duckdb"), read_only=True)
    try:
        views = {r[0] for r in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE schema_name = 'marts'").fetchall()}
        articles = con.execute("SELECT count(*) FROM core.articles_current").fetchone()[0]
    finally:
        con.close()
    assert articles > 15
    declared = {name for path in (ROOT / "warehouse" / "marts").glob("*.sql")
                for name in re.findall(r"VIEW\s+marts\.(\w+)", path.read_text(), re.I)}
    assert declared and declared <= views
