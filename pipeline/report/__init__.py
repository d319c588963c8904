"""The litmine report: one self-contained HTML page over the marts.

`write_report(con, settings, out_dir)` writes `out_dir/index.html` (run summary, evidence table,
evidence map, follow-up distribution, what changed, curation backlog, link to the Data Docs) and
returns its path. Inline CSS and SVG only: no CDN, no script, so it opens offline and can be
mailed as one file. `litmine report` calls it with `report_dir(settings)`.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from pipeline.config import Settings
from pipeline.report import svg
from pipeline.report.data import gather

TEMPLATES = Path(__file__).resolve().parent / "templates"


def report_dir(settings: Settings) -> Path:
    """The default output folder: `warehouse/report/`, beside the database."""
    return Path(settings.warehouse).parent / "report"


def render(context: dict) -> str:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["label"] = lambda v: "—" if v is None else str(v).replace("_", " ")
    return env.get_template("index.html.j2").render(
        **context,
        evidence_map=Markup(svg.evidence_map(context["cells"])),
        follow_up=Markup(svg.follow_up_histogram(context["follow_up_days"])),
    )


def write_report(con: duckdb.DuckDBPyConnection, settings: Settings, out_dir: Path) -> Path:
    """Render the report from the marts into `out_dir/index.html`, atomically; return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    html = render(gather(con, settings, out_dir))
    target = out_dir / "index.html"
    tmp = out_dir / f".index.html.tmp-{os.getpid()}"
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, target)
    return target
