"""`litmine curate ...`: the curation queue from the command line, and the web UI's launcher.

    litmine curate list [--all] [--limit N] [--json]
    litmine curate show ID [--json]
    litmine curate set ID FIELD [VALUE] --curator NAME --reason TEXT [--action accept|correct|not_reported] [--expect CURATION_ID]
    litmine curate export [--output FILE] [--all]
    litmine curate import FILE [--curator NAME] [--check]
    litmine curate serve [--host 127.0.0.1] [--port 8765]
    litmine curate undo --curator NAME [--record ID]
    litmine curate stats [--json]

The group is `curate`; `pipeline/cli.py` attaches it with `main.add_command(curate)`. It uses
the `Settings` the parent put in `ctx.obj`, or reads them from the environment when run alone.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager

import click

from pipeline.config import Settings
from pipeline.curate import store
from pipeline.curate.fields import ACTIONS, FIELDS, show_value


def _settings(ctx: click.Context) -> Settings:
    obj = ctx.find_object(Settings)
    if obj is None:
        try:
            obj = Settings.from_env()
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        ctx.obj = obj
    return obj


@contextmanager
def _warehouse(ctx: click.Context, write: bool = False):
    """A short connection: read-only for reading, so reading never holds up the nightly load
    (while the load holds the warehouse, reads use the published snapshot and say so)."""
    from pathlib import Path

    from pipeline.warehouse import db
    import duckdb

    settings = _settings(ctx)
    try:
        if write:
            con = db.connect(settings)
        else:
            if not Path(settings.warehouse).exists():
                db.connect(settings).close()        # a new, empty warehouse to read
            con = db.open_file(Path(settings.warehouse), read_only=True, wait=2.0)
    except duckdb.IOException as exc:
        published = Path(settings.published)
        if write or not published.is_file():
            raise click.ClickException(f"cannot open the warehouse (is the nightly load running?): {exc}") from None
        click.echo(f"the warehouse is busy (nightly load?): reading the published snapshot {published}",
                   err=True)
        con = duckdb.connect(str(published), read_only=True)
    try:
        yield con
    finally:
        con.close()


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@click.group("curate")
@click.pass_context
def curate(ctx):
    """Curation queue: list, show and fix flagged records; CSV round trip; the web UI."""
    _settings(ctx)


@curate.command("list")
@click.option("--all", "include_done", is_flag=True, help="Also list flagged records already fully curated.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many records.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def list_cmd(ctx, include_done, limit, as_json):
    """The queue: flagged records, most important first."""
    with _warehouse(ctx) as con:
        items = store.queue(con, include_done=include_done, limit=limit)
    if as_json:
        for item in items:
            click.echo(json.dumps({"article_id": item.article_id, "relevant": item.relevant,
                                   "pending": item.pending, "reasons": item.reasons,
                                   "stale_override": item.stale, "title": item.title}))
        return
    if not items:
        click.echo("the queue is empty")
        return
    for n, item in enumerate(items, 1):
        relevant = {True: "relevant", False: "not relevant", None: "relevance ?"}[item.relevant]
        pending = ", ".join(item.pending) or "done"
        click.echo(f"{n:>4}  {item.article_id:<24} {relevant:<13} {pending:<40} {item.title[:70]}")


@curate.command("show")
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True, help="As one JSON object.")
@click.pass_context
def show_cmd(ctx, article_id, as_json):
    """One record: each field's extracted value, override in force, flags and evidence."""
    with _warehouse(ctx) as con:
        record = store.load_record(con, article_id)
        trail = store.history(con, article_id) if record else []
    if record is None:
        raise click.ClickException(f"no current article {article_id!r}")
    if as_json:
        click.echo(json.dumps({
            "article_id": record.article_id, "article_version": record.article_version,
            "extractor_version": record.extractor_version, "title": record.title,
            "abstract": record.abstract, "stale_override": record.stale,
            "record_flags": [f.reason for f in record.record_flags],
            "fields": {name: {"extracted": s.extracted, "value": s.value, "pending": s.pending,
                              "stale": s.stale, "flags": s.reasons,
                              "override": {k: _plain(v) for k, v in vars(s.override).items()} if s.override else None,
                              "evidence": [{"text": e.text, "start": e.start, "end": e.end,
                                            "rule": e.rule, "confidence": e.confidence} for e in s.evidence]}
                       for name, s in record.fields.items()},
            "history": [{k: _plain(v) for k, v in vars(o).items()} for o in trail],
        }, ensure_ascii=False))
        return
    click.echo(f"{record.article_id} (version {record.article_version}, extractor {record.extractor_version})")
    click.echo(record.title)
    click.echo("")
    click.echo(record.abstract)
    click.echo("")
    for f in record.record_flags:
        click.echo(f"! {f.raw_field or 'record'}: {f.reason}")
    for name, s in record.fields.items():
        mark = "*" if s.pending else " "
        line = f"{mark} {name:<18} {show_value(s.value) or '-':<30}"
        if s.override:
            line += (f" [{s.override.action} by {s.override.curator} {s.override.curated_at:%Y-%m-%d}"
                     f"{', STALE' if s.stale else ''}; extracted: {show_value(s.extracted) or '-'}]")
        click.echo(line)
        for reason in s.reasons:
            click.echo(f"      flag: {reason}")
        for e in s.evidence:
            click.echo(f"      evidence: \"{e.text}\" ({e.rule}, {e.confidence:.2f})")
    if trail:
        click.echo("")
        click.echo("history:")
        for o in trail:
            click.echo(f"  {o.curated_at:%Y-%m-%d %H:%M:%S} {o.curator}: {o.field} {o.action} "
                       f"{show_value(o.old_value) or '-'} -> {show_value(o.new_value) or 'not reported'} ({o.reason})")


@curate.command("set")
@click.argument("article_id")
@click.argument("field", type=click.Choice(list(FIELDS)))
@click.argument("value", required=False)
@click.option("--curator", required=True, help="Who is curating (recorded with the override).")
@click.option("--reason", default="", help="Why (required to correct or mark not reported).")
@click.option("--action", type=click.Choice(ACTIONS), default=None,
              help="Default: correct when VALUE is given, else an error.")
@click.option("--expect", "expected", default=None, metavar="CURATION_ID",
              help="Refuse if the override in force is not this one ('' for none): a conflict check.")
@click.pass_context
def set_cmd(ctx, article_id, field, value, curator, reason, action, expected):
    """Override FIELD of record ID with VALUE (lists: separate with ';')."""
    action = action or ("correct" if value is not None else None)
    if action is None:
        raise click.UsageError("give a VALUE to correct, or --action accept / --action not_reported")
    if action != "correct" and value is not None:
        raise click.UsageError(f"--action {action} takes no VALUE")
    with _warehouse(ctx, write=True) as con:
        try:
            o = store.curate(con, article_id, field, action, value, curator=curator, reason=reason,
                             expected=store.ANY if expected is None else expected)
        except store.CurationError as exc:
            raise click.ClickException(f"not saved: {exc}") from None
    click.echo(f"{article_id} {field} = {show_value(o.new_value) or 'not reported'} "
               f"({o.action} by {o.curator}; was {show_value(o.old_value) or 'not reported'}) [{o.curation_id}]")


@curate.command("undo")
@click.option("--curator", required=True, help="Whose last action to undo.")
@click.option("--record", "article_id", default=None, help="Only an action on this record.")
@click.pass_context
def undo_cmd(ctx, curator, article_id):
    """Undo your last curation still in force (the value before it is back)."""
    with _warehouse(ctx, write=True) as con:
        try:
            o = store.undo_last(con, curator, article_id)
        except store.CurationError as exc:
            raise click.ClickException(str(exc)) from None
    if o is None:
        raise click.ClickException(f"nothing of {curator}'s to undo")
    click.echo(f"{o.article_id} {o.field} = {show_value(o.new_value) or 'extracted value'} ({o.reason})")


@curate.command("export")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default="-",
              help="CSV file to write (default: stdout).")
@click.option("--all", "all_fields", is_flag=True,
              help="Every field of every flagged record, not only the pending ones.")
@click.pass_context
def export_cmd(ctx, output, all_fields):
    """The queue as CSV: fill in action, new_value, reason (and curator), then import it."""
    from pipeline.curate.csvio import export_csv

    with _warehouse(ctx) as con:
        if output == "-":
            n = export_csv(con, sys.stdout, all_fields)
        else:
            with open(output, "w", newline="", encoding="utf-8") as out:
                n = export_csv(con, out, all_fields)
    click.echo(f"exported {n} row(s)", err=True)


@curate.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--curator", default=None, help="Curator for rows whose curator cell is empty.")
@click.option("--check", is_flag=True, help="Validate only; write nothing.")
@click.pass_context
def import_cmd(ctx, path, curator, check):
    """Bring a curated CSV back: every row is validated; one bad row and none is written."""
    from pipeline.curate.csvio import check_csv, import_csv

    with open(path, newline="", encoding="utf-8-sig") as source, _warehouse(ctx, write=not check) as con:
        try:
            if check:
                n, skipped = check_csv(con, source, curator)
                click.echo(f"{path}: {n} row(s) would be written, {skipped} without an action skipped")
                return
            result = import_csv(con, source, curator)
        except store.BatchRejected as exc:
            for error in exc.errors:
                click.echo(f"{path}:{error.line}: {error.message}", err=True)
            raise click.ClickException(f"{len(exc.errors)} bad row(s); nothing was imported") from None
        except UnicodeDecodeError as exc:
            raise click.ClickException(f"{path} is not UTF-8 text: {exc}") from None
    click.echo(f"{path}: wrote {len(result.written)} curation(s), skipped {result.skipped} row(s) without an action")


@curate.command("stats")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per field and extractor version.")
@click.pass_context
def stats_cmd(ctx, as_json):
    """Estimated accuracy per field (95 % interval) from curator decisions, and what is unreviewed."""
    with _warehouse(ctx) as con:
        cursor = con.execute("SELECT * FROM marts.extraction_accuracy")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r)) for r in cursor.fetchall()]
    if as_json:
        for row in rows:
            click.echo(json.dumps(row))
        return
    if not rows:
        click.echo("no extractions yet")
        return
    click.echo(f"{'field':<24} {'extractor':<10} {'reviewed':>8} {'right':>6}  {'accuracy (95% interval)':<26} {'unreviewed':>10}")
    for r in rows:
        estimate = (f"{r['accuracy']:.0%} ({r['ci_low']:.0%}-{r['ci_high']:.0%})"
                    if r["reviewed"] else "no decisions yet")
        click.echo(f"{r['field']:<24} {r['extractor_version']:<10} {r['reviewed']:>8} {r['accepted']:>6}  "
                   f"{estimate:<26} {r['unreviewed']:>10}")
    click.echo("Reviewed values are mostly flagged ones: the estimate describes what curators checked.")


@curate.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback exposes the queue to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port (0: any free port).")
@click.pass_context
def serve_cmd(ctx, host, port):
    """The curation web UI."""
    from pipeline.curate.server import serve
    from pipeline.curate.web import _is_loopback

    if not _is_loopback(host):
        click.echo(f"warning: binding {host}: anyone who can reach it can curate (no login)", err=True)
    try:
        serve(_settings(ctx), host, port, announce=lambda m: click.echo(m, err=True))
    except OSError as exc:
        raise click.ClickException(f"cannot serve on {host}:{port}: {exc}") from None
