"""CSV round trip and the CLI: a bad row anywhere and nothing is written, with line numbers."""

from __future__ import annotations

import csv
import io
import json

import duckdb
import pytest
from click.testing import CliRunner

from pipeline.curate import store
from pipeline.curate.cli import curate
from pipeline.curate.csvio import COLUMNS, export_csv, import_csv
from pipeline.curate.fields import FIELDS
from tests.curate.helpers import evidence_current


def curations(con):
    return con.execute("SELECT count(*) FROM core.curation").fetchone()[0]


def exported(con, **kw):
    out = io.StringIO()
    export_csv(con, out, **kw)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def sheet(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def fill(rows, article_id, field, **cells):
    row = next(r for r in rows if r["article_id"] == article_id and r["field"] == field)
    row.update(cells)
    return row


def test_export_lists_pending_fields_with_context(con):
    rows = exported(con)
    assert [(r["article_id"], r["field"]) for r in rows] == [
        ("pmid:1001", "design"), ("pmid:1001", "sample_size"), ("pmid:1003", "guidance"),
        ("pmid:1003", "follow_up_days"), ("pmid:1002", "indication")]
    design = rows[0]
    assert design["current_value"] == "rct" and design["curation_id_in_force"] == ""
    assert "low confidence" in design["flags"] and design["action"] == ""
    assert len(exported(con, all_fields=True)) == 3 * len(FIELDS)   # every curatable field


def test_a_filled_sheet_imports_in_one_go(con):
    rows = exported(con)
    fill(rows, "pmid:1001", "sample_size", action="correct", new_value="42", reason="text", curator="Ann")
    fill(rows, "pmid:1001", "design", action="accept")
    fill(rows, "pmid:1003", "follow_up_days", action="correct", new_value="2 years", reason="typo")
    result = import_csv(con, sheet(rows), curator="Team")
    assert (len(result.written), result.skipped) == (3, 2)
    row = evidence_current(con, "pmid:1001")
    assert (row["sample_size"], row["design"]) == (42, "rct")
    assert evidence_current(con, "pmid:1003")["follow_up_days"] == 730
    who = dict(con.execute("SELECT field, curator FROM core.curation").fetchall())
    assert who == {"sample_size": "Ann", "design": "Team", "follow_up_days": "Team"}


def test_bad_rows_are_reported_by_line_and_none_is_written(con):
    store.curate(con, "pmid:1003", "guidance", "correct", "ct", curator="Bo", reason="methods")
    before = curations(con)
    rows = exported(con, all_fields=True)          # guidance of 1003 is in force now
    good = fill(rows, "pmid:1001", "design", action="accept")                         # fine
    fill(rows, "pmid:1001", "sample_size", action="correct", new_value="0", reason="r")
    fill(rows, "pmid:1001", "follow_up_days", action="correct", new_value="9", reason="")
    fill(rows, "pmid:1001", "guidance", action="delete")
    rows.append(dict(good, article_id="pmid:404"))
    rows.append(dict(good))                                                          # twice
    fill(rows, "pmid:1003", "guidance", action="correct", new_value="mri", reason="r",
         curation_id_in_force="")                  # exported before Bo's edit: a conflict
    text = sheet(rows)
    lines = {json.dumps([r["article_id"], r["field"], r["action"]]): n + 2 for n, r in enumerate(rows)}
    with pytest.raises(store.BatchRejected) as err:
        import_csv(con, text, curator="Ann")
    found = {e.line: e.message for e in err.value.errors}
    line = lambda a, f, act: lines[json.dumps([a, f, act])]   # noqa: E731
    assert "from 1 to 100000" in found[line("pmid:1001", "sample_size", "correct")]
    assert "reason is required" in found[line("pmid:1001", "follow_up_days", "correct")]
    assert "unknown action" in found[line("pmid:1001", "guidance", "delete")]
    assert "no current article" in found[line("pmid:404", "design", "accept")]
    assert "curated twice" in found[len(rows) + 1]
    assert "changed by Bo" in found[line("pmid:1003", "guidance", "correct")]
    assert len(found) == 6
    assert curations(con) == before                  # the good row was not written either


def test_line_numbers_count_multi_line_cells_and_structure_errors(con):
    text = ("article_id,field,action,new_value,reason\n"
            "pmid:1001,design,accept,,\"a reason\nover two lines\"\n"
            "pmid:1001,sample_size,correct,zero,r\n"
            "pmid:1002,indication,correct,x,r,extra\n")
    with pytest.raises(store.BatchRejected) as err:
        import_csv(con, text, curator="Ann")
    assert [(e.line, e.message.split(":")[0]) for e in err.value.errors] == [
        (4, "sample size must be a whole number from 1 to 100000 participants, not 'zero'"),
        (5, "1 more cell(s) than the header has columns")]
    with pytest.raises(store.BatchRejected, match="missing column"):
        import_csv(con, "id,field\n1,design\n", curator="Ann")
    assert curations(con) == 0


def test_cli_list_show_set_export_import(con, settings, tmp_path):
    con.close()                                     # the CLI opens the warehouse itself
    runner = CliRunner()

    def run(*args, ok=True):
        result = runner.invoke(curate, list(args), obj=settings, catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        return result.output

    listed = run("list")
    assert listed.index("pmid:1001") < listed.index("pmid:1003") < listed.index("pmid:1002")
    assert json.loads(run("list", "--json").splitlines()[0])["pending"] == ["design", "sample_size"]
    assert "low confidence 0.41" in run("show", "pmid:1001")
    out = run("set", "pmid:1001", "sample_size", "42", "--curator", "Ann", "--reason", "text")
    assert "sample_size = 42 (correct by Ann; was not reported)" in out
    assert "sample size must be from 1 to 100000" in run("set", "pmid:1001", "sample_size", "0",
                                                          "--curator", "Ann", "--reason", "r", ok=False)
    run("set", "pmid:1001", "design", "--action", "accept", "--curator", "Ann")
    shown = json.loads(run("show", "pmid:1001", "--json"))
    assert shown["fields"]["sample_size"]["value"] == 42
    assert shown["fields"]["design"]["override"]["action"] == "accept"
    path = tmp_path / "queue.csv"
    run("export", "--output", str(path))
    rows = list(csv.DictReader(path.open()))
    assert [r["article_id"] for r in rows] == ["pmid:1003", "pmid:1003", "pmid:1002"]
    rows[0].update(action="correct", new_value="fluoroscopy; ultrasound", reason="methods")
    rows[1].update(action="correct", new_value="30 years", reason="r")
    rows[2].update(action="not_reported", new_value="", reason="not stated")
    path.write_text(sheet(rows))
    out = run("import", str(path), "--curator", "Cy", ok=False)
    assert f"{path}:3: follow-up must be from 1 to 7305 days, not 10950" in out
    assert "1 bad row(s); nothing was imported" in out
    assert "pmid:1003" in run("list")
    rows[1].update(new_value="2 years")
    path.write_text(sheet(rows))
    assert "3 row(s) would be written" in run("import", str(path), "--check", "--curator", "Cy")
    assert "wrote 3 curation(s)" in run("import", str(path), "--curator", "Cy")
    assert "the queue is empty" in run("list")


def test_the_group_reads_settings_from_the_environment_when_run_alone(built):
    result = CliRunner().invoke(curate, ["list", "--limit", "1"],
                                env={"LITMINE_WAREHOUSE": str(built.warehouse)})
    assert result.exit_code == 0, result.output
    assert result.output.count("pmid:") == 1 and "pmid:1001" in result.output


def test_a_formula_title_stays_text_in_the_sheet_and_the_round_trip_still_imports(con):
    title = '=HYPERLINK("http://evil.example/", "open")'
    con.execute("UPDATE core.articles SET title = ? WHERE article_id = 'pmid:1001'", [title])
    con.execute("UPDATE core.extractions SET design = '-rct' WHERE article_id = 'pmid:1001'")
    rows = exported(con)
    design = next(r for r in rows if r["article_id"] == "pmid:1001" and r["field"] == "design")
    assert design["title"] == "'" + title and design["current_value"] == "'-rct"
    design.update(action="accept", curator="ann")
    import_csv(con, sheet([design]))       # the apostrophe is ours: the shown value still matches
    assert evidence_current(con, "pmid:1001")["curated_fields"] == ["design"]


def test_curate_stats_estimates_accuracy_per_field_with_an_interval(built):
    con = duckdb.connect(str(built.warehouse))
    store.curate(con, "pmid:1001", "design", "accept", curator="ann")
    store.curate(con, "pmid:1003", "design", "correct", "case_report", curator="ann", reason="one patient")
    store.curate(con, "pmid:1004", "design", "accept", curator="bob")
    store.curate(con, "pmid:1001", "sample_size", "correct", "42", curator="ann", reason="abstract")
    con.close()
    env = {"LITMINE_WAREHOUSE": str(built.warehouse)}
    out = CliRunner().invoke(curate, ["stats"], env=env)
    assert out.exit_code == 0, out.output
    design = next(line for line in out.output.splitlines() if line.startswith("design "))
    assert design.split()[:4] == ["design", "t1", "3", "2"] and "67% (21%-94%)" in design
    rows = [json.loads(line) for line in CliRunner().invoke(curate, ["stats", "--json"], env=env).output.splitlines()]
    size = next(r for r in rows if r["field"] == "sample_size")
    assert (size["reviewed"], size["accepted"], size["accuracy"], size["unreviewed"]) == (1, 0, 0.0, 3)


def test_curate_undo_from_the_shell(built):
    env = {"LITMINE_WAREHOUSE": str(built.warehouse)}
    runner = CliRunner()
    out = runner.invoke(curate, ["set", "pmid:1001", "sample_size", "42", "--curator", "ann",
                                 "--reason", "abstract"], env=env)
    assert out.exit_code == 0, out.output
    out = runner.invoke(curate, ["undo", "--curator", "ann"], env=env)
    assert out.exit_code == 0 and "pmid:1001 sample_size = extracted value" in out.output
    con = duckdb.connect(str(built.warehouse))
    assert evidence_current(con, "pmid:1001")["curated_fields"] == []
    con.close()
    assert runner.invoke(curate, ["undo", "--curator", "ann"], env=env).exit_code == 1
