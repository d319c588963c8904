"""The queue, overrides that always win, stale overrides, conflicts and value validation."""

from __future__ import annotations

import threading

import pytest

from pipeline.curate import store
from pipeline.curate.fields import InvalidValue, parse_value
from tests.curate.helpers import (GENICULAR, GENICULAR_ABSTRACT, GENICULAR_TITLE, T0, add_article,
                                  add_extraction, evidence_current)


def curations(con):
    return con.execute("SELECT count(*) FROM core.curation").fetchone()[0]


def test_queue_puts_relevant_records_and_core_fields_first(con):
    items = store.queue(con)
    assert [i.article_id for i in items] == ["pmid:1001", "pmid:1003", "pmid:1002"]
    first = items[0]
    assert first.pending == ["design", "sample_size"] and first.core and first.relevant is True
    assert items[1].pending == ["guidance", "follow_up_days"]       # ops.flags counted too
    assert items[1].reasons["follow_up_days"] == ["follow_up_days 9125 is outside 1..7305"]
    assert items[2].relevant is False


def test_record_has_text_fields_flags_and_evidence(con):
    record = store.load_record(con, "pmid:1001")
    assert record.text.startswith(GENICULAR_TITLE + "\n")
    design = record.fields["design"]
    assert design.pending and design.value == "rct"
    assert design.reasons == ["low confidence 0.41 < 0.60 (design.randomized_word)"]
    assert [(e.text, e.in_text) for e in design.evidence] == [("randomized", True)]
    assert [e.text for e in record.fields["follow_up_days"].evidence] == ["6 months"]
    assert [e.text for e in record.fields["target_groups"].evidence] == ["genicular nerves"]
    assert store.load_record(con, "pmid:404") is None


def test_corrections_and_accepts_show_in_evidence_current_and_leave_the_queue(con):
    o = store.curate(con, "pmid:1001", "sample_size", "correct", "42", curator="Ann",
                     reason="Forty-two patients", expected="")
    assert (o.old_value, o.new_value, o.extractor_version, o.article_version) == (None, 42, "t1", 1)
    store.curate(con, "pmid:1001", "design", "accept", curator="Ann", expected="", shown="rct")
    row = evidence_current(con, "pmid:1001")
    assert (row["sample_size"], row["design"], row["stale_override"]) == (42, "rct", False)
    assert row["curated_fields"] == ["design", "sample_size"]
    assert "pmid:1001" not in [i.article_id for i in store.queue(con)]
    accepted = store.overrides_in_force(con, "pmid:1001")["design"]
    assert (accepted.action, accepted.reason, accepted.curator) == ("accept", "accepted as extracted", "Ann")


def test_re_extraction_never_alters_an_override(con):
    store.curate(con, "pmid:1001", "sample_size", "correct", "42", curator="Ann", reason="text")
    store.curate(con, "pmid:1001", "guidance", "correct", "ultrasound; nerve stimulator",
                 curator="Ann", reason="methods")
    store.curate(con, "pmid:1001", "indication", "not_reported", curator="Ann", reason="unclear")
    changed = dict(GENICULAR, sample_size=7, design="case_series", guidance=["ct"], indication="x")
    add_extraction(con, "pmid:1001", "t2", changed, flags=[("sample_size", "low confidence")],
                   extracted_at=T0.replace(year=2025))
    row = evidence_current(con, "pmid:1001")
    assert row["extractor_version"] == "t2"
    assert row["sample_size"] == 42                      # the curator's value
    assert row["guidance"] == ["ultrasound", "nerve_stimulator"]
    assert row["indication"] is None                     # not reported stays not reported
    assert row["design"] == "case_series"                # not curated: the new extraction
    assert row["stale_override"] is False
    assert "sample_size" not in store.queue(con)[0].pending


def test_a_changed_source_record_keeps_the_override_but_flags_it_stale(con):
    store.curate(con, "pmid:1001", "sample_size", "correct", "42", curator="Ann", reason="text")
    add_article(con, "pmid:1001", GENICULAR_TITLE, GENICULAR_ABSTRACT + " (Corrected.)", version=2)
    add_extraction(con, "pmid:1001", "t1", dict(GENICULAR, sample_size=40), article_version=2)
    row = evidence_current(con, "pmid:1001")
    assert (row["article_version"], row["sample_size"], row["stale_override"]) == (2, 42, True)
    item = next(i for i in store.queue(con) if i.article_id == "pmid:1001")
    assert item.stale and "sample_size" in item.pending
    assert item.reasons["sample_size"][0].startswith("stale_override:")
    record = store.load_record(con, "pmid:1001")
    assert record.stale and record.fields["sample_size"].pending
    # A look at the new text and an accept re-confirms it for this version.
    o = store.curate(con, "pmid:1001", "sample_size", "accept", curator="Bo", reason="still 42",
                     expected=record.fields["sample_size"].override.curation_id, shown=42)
    assert (o.old_value, o.new_value, o.article_version) == (42, 42, 2)
    assert evidence_current(con, "pmid:1001")["stale_override"] is False


def test_concurrent_edit_of_a_field_is_a_conflict_not_an_overwrite(con):
    first = store.curate(con, "pmid:1001", "sample_size", "correct", "42", curator="Ann",
                         reason="text", expected="")
    with pytest.raises(store.Conflict) as err:
        store.curate(con, "pmid:1001", "sample_size", "correct", "40", curator="Bo",
                     reason="table 1", expected="")
    assert "Ann" in str(err.value) and "'42'" in str(err.value)
    assert err.value.current.curation_id == first.curation_id
    assert curations(con) == 1
    second = store.curate(con, "pmid:1001", "sample_size", "correct", "40", curator="Bo",
                          reason="table 1", expected=first.curation_id)
    assert second.supersedes == first.curation_id
    assert evidence_current(con, "pmid:1001")["sample_size"] == 40
    assert [o.new_value for o in store.history(con, "pmid:1001")] == [40, 42]


def test_accepting_a_value_that_changed_since_it_was_shown_is_a_conflict(con):
    with pytest.raises(store.Conflict, match="not the 'case_series' you saw"):
        store.curate(con, "pmid:1001", "design", "accept", curator="Ann", expected="",
                     shown="case_series")
    assert curations(con) == 0


def test_racing_threads_write_one_override(con, settings):
    import duckdb

    results = []

    def attempt(value):
        c = duckdb.connect(str(settings.warehouse))    # what the web server does per request
        try:
            store.curate(c, "pmid:1001", "sample_size", "correct", value, curator=f"c{value}",
                         reason="race", expected="")
            results.append("ok")
        except store.Conflict:
            results.append("conflict")
        finally:
            c.close()

    threads = [threading.Thread(target=attempt, args=(str(n),)) for n in (41, 42, 43, 44)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict"] * 3 + ["ok"]
    assert curations(con) == 1


@pytest.mark.parametrize("field, value, message", [
    ("sample_size", "0", "from 1 to 100000"),
    ("sample_size", "100001", "from 1 to 100000"),
    ("sample_size", "forty", "whole number"),
    ("sample_size", "4.5", "whole number"),
    ("follow_up_days", "21 years", "from 1 to 7305 days"),
    ("follow_up_days", "3 fortnights", "unknown unit"),
    ("design", "randomised", "not one of: rct"),
    ("guidance", "ultrasound; x-ray", "'x-ray' is not among"),
    ("relevant", "maybe", "yes or no"),
    ("outcome_direction", "better", "not one of"),
    ("sample_size", "", "a value is required"),
    ("nonsense", "1", "unknown field"),
])
def test_invalid_values_are_refused_and_nothing_is_written(con, field, value, message):
    with pytest.raises(store.CurationError, match=message):
        store.curate(con, "pmid:1001", field, "correct", value, curator="Ann", reason="r")
    assert curations(con) == 0


def test_other_refusals(con):
    with pytest.raises(store.CurationError, match="reason is required"):
        store.curate(con, "pmid:1001", "sample_size", "correct", "42", curator="Ann", reason=" ")
    with pytest.raises(store.CurationError, match="curator name is required"):
        store.curate(con, "pmid:1001", "sample_size", "correct", "42", curator="", reason="r")
    with pytest.raises(store.CurationError, match="no current article"):
        store.curate(con, "pmid:999", "sample_size", "correct", "42", curator="Ann", reason="r")
    with pytest.raises(store.CurationError, match="unknown action"):
        store.curate(con, "pmid:1001", "sample_size", "delete", curator="Ann", reason="r")
    assert curations(con) == 0


def test_typed_values():
    assert parse_value("follow_up_days", "6 months") == 180
    assert parse_value("follow_up_days", "12 weeks") == 84
    assert parse_value("follow_up_days", " 51 ") == 51
    assert parse_value("design", "Case series") == "case_series"
    assert parse_value("guidance", ["ultrasound", "CT", "ultrasound"]) == ["ultrasound", "ct"]
    assert parse_value("target_groups", '["genicular", "saphenous"]') == ["genicular", "saphenous"]
    assert parse_value("targets", "Genicular  nerves; IPBSN") == ["genicular nerves", "ipbsn"]
    assert parse_value("relevant", "No") is False
    assert parse_value("indication", "Knee  Osteoarthritis") == "knee osteoarthritis"
    with pytest.raises(InvalidValue):
        parse_value("indication", "bad\x00text")


def test_not_reported_and_relevance_overrides(con):
    store.curate(con, "pmid:1003", "guidance", "not_reported", curator="Ann", reason="not said")
    store.curate(con, "pmid:1003", "relevant", "correct", "no", curator="Ann", reason="cadaver study")
    row = evidence_current(con, "pmid:1003")
    assert row["guidance"] == [] and row["relevant"] is False
    assert store.overrides_in_force(con, "pmid:1003")["guidance"].new_value is None
    assert con.execute("""SELECT new_value::VARCHAR FROM core.curation WHERE field = 'guidance'""").fetchone() == ("null",)


def test_validation_flags_on_other_columns_are_shown_but_not_queued(con):
    from tests.curate.helpers import add_flag

    add_flag(con, "pmid:1004", "title", "title does not match the pattern \\S")
    assert "pmid:1004" not in [i.article_id for i in store.queue(con)]
    record = store.load_record(con, "pmid:1004")
    assert [f.reason for f in record.record_flags] == ["title does not match the pattern \\S"]


def test_outcome_numbers_indication_and_adverse_events_are_curatable(con):
    store.curate(con, "pmid:1001", "responder_pct", "correct", "64%", curator="ann", reason="Table 2")
    store.curate(con, "pmid:1001", "responder_threshold_pct", "correct", "50", curator="ann", reason="methods")
    store.curate(con, "pmid:1001", "mean_change", "correct", "\u22123.1", curator="ann", reason="abstract")
    store.curate(con, "pmid:1001", "outcome_scale", "correct", "NRS", curator="ann", reason="abstract")
    store.curate(con, "pmid:1001", "indication", "correct", "Knee osteoarthritis pain", curator="ann", reason="x")
    store.curate(con, "pmid:1001", "adverse_events", "correct", "none serious", curator="ann", reason="safety")
    row = evidence_current(con, "pmid:1001")
    assert (row["responder_pct"], row["responder_threshold_pct"], row["mean_change"]) == (64.0, 50.0, -3.1)
    assert (row["outcome_scale"], row["indication"], row["adverse_events"]) == \
        ("nrs", "knee osteoarthritis pain", "none serious")
    with pytest.raises(store.CurationError, match="responders must be from 0 to 100 %, not 140"):
        store.curate(con, "pmid:1001", "responder_pct", "correct", "140", curator="ann", reason="typo")
    store.curate(con, "pmid:1001", "adverse_events", "not_reported", curator="ann",
                 reason="the abstract does not say")
    assert evidence_current(con, "pmid:1001")["adverse_events"] is None


def test_undo_puts_back_what_was_in_force_before_the_curators_last_action(con):
    store.curate(con, "pmid:1001", "design", "correct", "case_series", curator="ann", reason="r1")
    store.curate(con, "pmid:1001", "design", "correct", "rct", curator="ann", reason="r2")
    store.curate(con, "pmid:1003", "guidance", "accept", curator="bob")
    store.undo_last(con, "ann")                     # ann's last: design -> rct
    assert evidence_current(con, "pmid:1001")["design"] == "case_series"
    store.undo_last(con, "ann")                     # and the one before: back to the extractor
    row = evidence_current(con, "pmid:1001")
    assert row["design"] == "rct" and row["curated_fields"] == []
    assert [i.article_id for i in store.queue(con)][0] == "pmid:1001"    # flagged again
    assert store.undo_last(con, "ann") is None     # nothing left of ann's; bob's stays
    assert evidence_current(con, "pmid:1003")["curated_fields"] == ["guidance"]


def test_a_selected_span_is_kept_as_the_overrides_evidence(con):
    text = GENICULAR_TITLE + "\n" + GENICULAR_ABSTRACT
    start = text.index("Forty-two patients")
    o = store.curate(con, "pmid:1001", "sample_size", "correct", "42", curator="ann", reason="r",
                     evidence={"text": "Forty-two patients", "start": start, "end": start + 18})
    assert o.evidence == {"text": "Forty-two patients", "start": start, "end": start + 18}
    assert store.load_record(con, "pmid:1001").fields["sample_size"].override.evidence["start"] == start
    with pytest.raises(store.CurationError, match="not in the record"):
        store.curate(con, "pmid:1001", "sample_size", "correct", "42", curator="ann", reason="r",
                     evidence={"text": "ninety patients", "start": 0, "end": 3})
