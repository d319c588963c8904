"""The `litmine` command: one subcommand per stage, plus `run` for the whole nightly job.

Each subcommand imports what it uses when it runs, so `litmine --help` or `parse-pdf` does not
pay for DuckDB, the HTTP clients or the extractor.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from datetime import date
from pathlib import Path

import click

from pipeline.config import Settings


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@contextlib.contextmanager
def _sources(settings: Settings, offline: bool, corpus: Path | None):
    """Settings pointed at a mirror started for the duration, when offline."""
    if not offline:
        yield settings
        return
    from pipeline.mirror.corpus import SAMPLE_CORPUS
    from pipeline.mirror.server import MirrorServer

    with MirrorServer(corpus or SAMPLE_CORPUS) as mirror:
        click.echo(f"offline: serving {corpus or SAMPLE_CORPUS} at {mirror.base_url}", err=True)
        yield settings.with_mirror(mirror.base_url)


def _progress(source: str):
    from tqdm import tqdm

    bar = tqdm(desc=f"harvest {source}", unit="rec", disable=not sys.stderr.isatty(), leave=False)

    def update(done: int, total: int | None) -> None:
        if total is not None and bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()
    return update


window_options = [
    click.option("--since", callback=_date, help="First entrez/index day (YYYY-MM-DD); default: day after the watermark."),
    click.option("--until", callback=_date, help="Last day (YYYY-MM-DD); default: yesterday (UTC)."),
    click.option("--offline", is_flag=True, help="Serve the bundled sample corpus on 127.0.0.1 and harvest from it."),
    click.option("--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path),
                 help="With --offline: the mirror folder to serve instead of the sample corpus."),
]


def with_window(f):
    for option in reversed(window_options):
        f = option(f)
    return f


class _Commands(click.Group):
    """Every subcommand reports a warehouse held by another program as a one-line error."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            # Only a command that opened the warehouse can have raised WarehouseBusy.
            db = sys.modules.get("pipeline.warehouse.db")
            if db is not None and isinstance(exc, db.WarehouseBusy):
                raise click.ClickException(str(exc)) from None
            raise


@click.group(cls=_Commands)
@click.option("-v", "--verbose", count=True, help="-v for progress messages, -vv for debugging.")
@click.pass_context
def main(ctx, verbose):
    """litmine: nightly literature mining for clinical evidence into DuckDB."""
    logging.basicConfig(level=[logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        ctx.obj = Settings.from_env()
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@main.command()
@with_window
@click.pass_obj
def run(settings, since, until, offline, corpus):
    """The nightly job without Airflow: harvest, extract, load, validate, publish. A first run
    (no watermark) or a long window goes slice by slice (LITMINE_SLICE_RECORDS)."""
    _run(settings, since, until, offline, corpus)


@main.command()
@click.option("--since", callback=_date, required=True, help="First entrez/index day (YYYY-MM-DD).")
@click.option("--until", callback=_date, help="Last day (YYYY-MM-DD); default: yesterday (UTC).")
@click.option("--query", help="Another search query than LITMINE_QUERY.")
@click.option("--slice-records", type=click.IntRange(min=1),
              help="Largest slice, in records by the source's count (default LITMINE_SLICE_RECORDS).")
@click.option("--refresh", is_flag=True,
              help="Harvest slices loaded before again too (records revised at the source).")
@click.option("--offline", is_flag=True, help="Serve the bundled sample corpus on 127.0.0.1 and harvest from it.")
@click.option("--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="With --offline: the mirror folder to serve instead of the sample corpus.")
@click.pass_obj
def backfill(settings, since, until, query, slice_records, refresh, offline, corpus):
    """Harvest a date range slice by slice, each loaded and watermarked on its own; run again,
    it harvests only the slices not loaded yet. Then validate and publish."""
    from dataclasses import replace

    if query:
        settings = settings.with_query(query)
    if slice_records:
        settings = replace(settings, slice_records=slice_records)
    _run(settings, since, until, offline, corpus, refresh)


def _run(settings, since, until, offline, corpus, refresh: bool = False) -> None:
    from pipeline import backfill, nightly
    from pipeline.models import utc_now
    from pipeline.runlog import RunInProgress, record_failure, run_lock

    run_id, started, stage = nightly.new_run_id(), utc_now(), "start"
    try:
        with run_lock(settings):
            stage = "harvest"
            with _sources(settings, offline, corpus) as settings:
                errors = backfill.run_slices(settings, run_id, since, until, _progress, refresh)
                errors.update(nightly.retry_fulltexts(settings))
            stage = "extract"
            nightly.stage_reextraction(settings)
            nightly.extract_staged(settings)
            stage = "load"
            loaded = nightly.load_staged(settings, run_id)
            failed = {**errors, **loaded.failed}
            stage = "validate"
            try:
                nightly.validate(settings, run_id)
            except Exception as exc:
                failed["validate"] = str(exc)
                record_failure(settings, run_id, "validate", str(exc), started)
            stage = "publish"
            if not failed:
                nightly.publish(settings)
            stage = "summary"
            _print_summary(settings, run_id)
    except RunInProgress as exc:
        record_failure(settings, run_id, stage, str(exc), started)
        raise click.ClickException(str(exc)) from None
    except Exception as exc:   # whatever it was, the run leaves a row saying so
        reason = str(exc) or type(exc).__name__
        where = record_failure(settings, run_id, stage, reason, started)
        logging.getLogger("litmine").debug("run failed", exc_info=True)
        click.echo(f"error: {stage} failed: {reason}\n(recorded in {where}; the next run resumes)",
                   err=True)
        sys.exit(1)
    if failed:
        for name, reason in failed.items():
            click.echo(f"error: {name}: {reason}", err=True)
        click.echo("the run is incomplete; the next run resumes it", err=True)
        sys.exit(1)


def _print_summary(settings, run_id: str) -> None:
    from pipeline.summary import summarize
    from pipeline.warehouse import db

    con = db.connect(settings, read_only=True)
    try:
        click.echo(summarize(con, settings, run_id).text())
    finally:
        con.close()


@main.command()
@click.option("--source", type=click.Choice(["pubmed", "europepmc", "all"]), default="all")
@with_window
@click.pass_obj
def harvest(settings, source, since, until, offline, corpus):
    """Fetch new records into the staging area (resumes a harvest that was cut short)."""
    from pipeline import nightly

    sources = nightly.SOURCES if source == "all" else (source,)
    from pipeline.sources.http import SourceError

    with _sources(settings, offline, corpus) as settings:
        for name in sources:
            try:
                batches = nightly.harvest_source(settings, name, since, until, _progress(name))
            except SourceError as exc:
                raise click.ClickException(f"{name}: {exc}") from None
            click.echo(f"{name}: {len(batches)} batch(es) staged under {settings.staging_dir}")


@main.command()
@click.option("--input", "input_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "output_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes to extract on (default: every core).")
@click.pass_obj
def extract(settings, input_path, output_path, workers):
    """Extract fields from records (JSONL in, JSONL out, same order). No network, no database."""
    from pipeline.extract import extract_file

    count = extract_file(input_path, output_path, workers=workers, config=settings.extractor_config)
    click.echo(f"{count} extraction(s) written to {output_path}", err=True)


@main.command(name="parse-pdf")
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "output_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
def parse_pdf_command(pdf, output_path):
    """Sections, tables, evidence rows and references of one PDF, as JSON."""
    import json

    from pipeline.parse.pdf import PdfError, parse_pdf

    try:
        parsed = parse_pdf(pdf)
    except PdfError as exc:
        raise click.ClickException(f"{pdf}: {exc}") from None
    output_path.write_text(json.dumps(parsed, indent=1, ensure_ascii=False))
    click.echo(f"{len(parsed['sections'])} sections, {len(parsed['tables'])} tables, "
               f"{len(parsed['evidence_rows'])} evidence rows -> {output_path}", err=True)


@main.command(name="eval")
@click.option("--corpus", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--only", multiple=True, metavar="NAME",
              help="Score only records whose id or file name matches NAME (a glob); repeatable.")
@click.option("--near-misses", is_flag=True, help="Score only records whose gold relevance is false.")
@click.option("--misses/--no-misses", default=True, help="List every wrong value with its evidence.")
@click.option("--calibrate", is_flag=True,
              help="Write each rule's observed counts to the extractor's calibration file.")
def evaluate(corpus, only, near_misses, misses, calibrate):
    """Score the extractor against a folder of labelled records: accuracy per field, accuracy of
    unflagged values, wrong-and-unflagged counts and a confidence reliability table."""
    from pipeline.extract.evaluate import evaluate as score, format_report

    report = score(corpus, only=list(only), near_misses=near_misses)
    click.echo(format_report(report, misses=misses))
    if calibrate:
        from pipeline.extract.calibration import Calibration
        from pipeline.lexicon.vocabulary import VOCAB_DIR

        path = VOCAB_DIR / "calibration.json"
        Calibration({r: tuple(v) for r, v in report.rules.items()}).to_json(path)
        click.echo(f"calibration: {len(report.rules)} rules written to {path}")


@main.command()
@click.pass_obj
def load(settings):
    """Load staged, extracted windows into the warehouse."""
    from pipeline import nightly

    nightly.extract_staged(settings)
    summary = nightly.load_staged(settings, nightly.new_run_id())
    for source, counts in summary.sources.items():
        click.echo(f"{source}: {counts}")
    for source, reason in summary.failed.items():
        click.echo(f"{source}: not loaded, harvest incomplete: {reason}", err=True)


@main.command()
@click.option("--all", "all_rows", is_flag=True,
              help="Re-validate every row, not only those new or changed since the last "
                   "validation (e.g. after editing a suite; a changed suite file does this "
                   "by itself).")
@click.pass_obj
def validate(settings, all_rows):
    """Run the expectation suites against the warehouse; flag bad rows, fail on a bad table.

    Row-level expectations check the rows new or changed since the last validation; table-level
    ones (uniqueness, counts) check the whole table in SQL."""
    from pipeline import nightly
    from pipeline.validate import ValidationFailed

    try:
        report = nightly.validate(settings, nightly.new_run_id(), all_rows=all_rows)
    except ValidationFailed as exc:
        raise click.ClickException(str(exc)) from None
    checked = ", ".join(f"{s.name}: {s.evaluated} of {s.table_rows} rows ({s.mode})"
                        for s in report.suites)
    click.echo(f"validation passed; {checked}; {report.flags_written} row flag(s) written; "
               f"data docs at {report.docs_index}")


@main.command()
@click.pass_obj
def publish(settings):
    """Publish the read-only snapshot analysts query."""
    from pipeline import nightly

    click.echo(nightly.publish(settings))


@main.command()
@click.option("--output", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for index.html; default: warehouse/report.")
@click.pass_obj
def report(settings, output):
    """Write the self-contained HTML report: evidence table, evidence map, follow-up, backlog."""
    from pipeline.report import report_dir, write_report
    from pipeline.warehouse import db

    import duckdb

    if not Path(settings.warehouse).exists():
        raise click.ClickException(f"no warehouse at {settings.warehouse}: run `litmine run` first")
    # A read path: a short read-only connection, so it never holds up the nightly load. Only a
    # warehouse whose marts predate this code needs the writer (which re-applies them).
    con = db.connect(settings, read_only=True)
    try:
        try:
            click.echo(write_report(con, settings, output or report_dir(settings)))
        except duckdb.CatalogException:
            con.close()
            con = db.connect(settings)
            click.echo(write_report(con, settings, output or report_dir(settings)))
    finally:
        con.close()


@main.command()
@click.option("--run-id", help="A run id from ops.runs; default: the latest.")
@click.pass_obj
def summary(settings, run_id):
    """Print what a run did."""
    from pipeline.summary import summarize
    from pipeline.warehouse import db

    if not Path(settings.warehouse).exists():
        raise click.ClickException(f"no warehouse at {settings.warehouse}: run `litmine run` first")
    con = db.connect(settings, read_only=True)
    try:
        click.echo(summarize(con, settings, run_id).text())
    finally:
        con.close()


def _attach_curation() -> None:
    from pipeline.curate.cli import curate

    main.add_command(curate)


_attach_curation()


@main.group()
def mirror():
    """The loopback PubMed / Europe PMC mirror."""


@mirror.command()
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--fault", "faults", multiple=True,
              help="ENDPOINT:KIND[:TIMES], e.g. efetch:429:2 or europepmc:stall (repeatable).")
def serve(port, host, corpus, faults):
    """Serve a folder of records over E-utilities and Europe PMC REST until interrupted."""
    from pipeline.mirror.corpus import SAMPLE_CORPUS
    from pipeline.mirror.faults import Fault
    from pipeline.mirror.server import MirrorServer

    try:
        plan = [Fault.parse(f) for f in faults]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fault") from None
    server = MirrorServer(corpus or SAMPLE_CORPUS, port=port, host=host, faults=plan)
    click.echo(f"mirror at {server.base_url}  (LITMINE_PUBMED_URL={server.base_url}/entrez/eutils/ "
               f"LITMINE_EUROPEPMC_URL={server.base_url}/europepmc/webservices/rest/)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
