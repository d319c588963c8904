"""Each mart answers its analyst's question on a small warehouse built for it."""

from __future__ import annotations

import pytest

from pipeline.warehouse import db
from tests.marts.warehouse import (add_article, add_extraction, add_run, add_study,
                                   add_validation_flag, at, curate, query)

MARTS = ["curation_backlog", "evidence_table", "extraction_accuracy", "long_follow_up_responders", "prisma_flow",
         "reviews_and_protocols", "studies_by_target_and_design", "whats_new"]


@pytest.fixture
def con(settings):
    con = db.connect(settings)
    yield con
    con.close()


def test_every_mart_is_a_view_applied_on_connect(con):
    views = [name for (name,) in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE schema_name = 'marts' ORDER BY 1").fetchall()]
    assert views == MARTS
    for name in MARTS:  # and each one runs on an empty warehouse
        assert con.execute(f"SELECT count(*) FROM marts.{name}").fetchone()[0] == 0


# --- evidence_table ---------------------------------------------------------------------------

def test_evidence_table_is_one_row_per_relevant_study_with_curated_values(con):
    add_study(con, "pmid:1", first_author="Ilfeld B", year=2023, sample_size=18, follow_up_days=180,
              responder_pct=62.0, responder_threshold_pct=50.0,
              targets=("infrapatellar branch of the saphenous nerve",), target_groups=("saphenous",))
    add_study(con, "pmid:2", relevant=False)
    add_study(con, "pmid:3", relevant=True)
    curate(con, "pmid:1", "sample_size", 20, at(1))            # the curator read the full text
    curate(con, "pmid:3", "relevant", False, at(1))            # ... and excluded this one
    rows = query(con, "SELECT * FROM marts.evidence_table")
    assert [r["article_id"] for r in rows] == ["pmid:1"]
    row = rows[0]
    assert row["study"] == "Ilfeld B 2023"
    assert row["patients"] == 20 and row["curated_fields"] == ["sample_size"]
    assert row["design"] == "rct"
    assert row["targets"] == "infrapatellar branch of the saphenous nerve"
    assert row["guidance"] == "ultrasound"
    assert row["follow_up"] == "6 months"
    assert row["outcome"] == "outcome at 6 months: 62% responders (50% relief threshold)"
    assert row["pubmed_url"] == "https://pubmed.ncbi.nlm.nih.gov/1/"


@pytest.mark.parametrize("days, shown", [(84, "12 weeks"), (365, "1 year"), (51, "51 days"),
                                         (None, "not reported")])
def test_evidence_table_shows_follow_up_in_a_readers_unit(con, days, shown):
    add_study(con, "pmid:1", follow_up_days=days)
    assert con.execute("SELECT follow_up FROM marts.evidence_table").fetchone()[0] == shown


def test_evidence_table_lists_primary_studies_stronger_designs_first(con):
    add_study(con, "pmid:1", design="case_report", year=2025)
    add_study(con, "pmid:2", design="rct", year=2020)
    add_study(con, "pmid:3", design="systematic_review", year=2021, sample_size=None,
              responder_pct=70.0, responder_threshold_pct=50.0)
    add_study(con, "pmid:4", design="protocol", year=2024, sample_size=None)
    designs = [d for (d,) in con.execute("SELECT design FROM marts.evidence_table").fetchall()]
    assert designs == ["rct", "case_report"]
    # Reviews and protocols have their own mart; a review's (cited) responder rate stays there.
    secondary = query(con, "SELECT article_id, publication_kind, outcome_as_reported "
                           "FROM marts.reviews_and_protocols")
    assert [(r["article_id"], r["publication_kind"]) for r in secondary] == \
        [("pmid:3", "review"), ("pmid:4", "protocol")]
    assert con.execute("SELECT count(*) FROM marts.long_follow_up_responders").fetchone()[0] == 0


def test_evidence_table_drops_target_names_a_more_precise_one_repeats(con):
    add_study(con, "pmid:1", targets=("lumbar medial branch nerve", "lumbar medial branch",
                                      "medial branch", "genicular nerves", "superolateral genicular nerve",
                                      "saphenous nerve"))
    targets = con.execute("SELECT targets FROM marts.evidence_table").fetchone()[0]
    assert targets == "lumbar medial branch nerve; superolateral genicular nerve; saphenous nerve"


@pytest.mark.parametrize("values, outcome", [
    (dict(responder_pct=62.0, responder_threshold_pct=50.0), "outcome at 6 months: 62% responders (50% relief threshold)"),
    (dict(mean_change=-3.1, outcome_scale="nrs", follow_up_days=84), "NRS at 12 weeks: mean change -3.1"),
    (dict(mean_change=-20.0, outcome_scale="womac", responder_pct=45.0, follow_up_days=None),
     "WOMAC: mean change -20; 45% responders"),
    (dict(outcome_direction="no_difference"), "outcome at 6 months: no difference"),
    (dict(outcome_direction=None), "not reported"),
])
def test_evidence_table_reads_outcome_as_measure_time_point_and_effect(con, values, outcome):
    add_study(con, "pmid:1", **values)
    assert con.execute("SELECT outcome FROM marts.evidence_table").fetchone()[0] == outcome


# --- studies_by_target_and_design -------------------------------------------------------------

def test_studies_by_target_and_design_counts_each_study_in_each_of_its_groups(con):
    add_study(con, "pmid:1", design="rct", sample_size=40, target_groups=("genicular",))
    add_study(con, "pmid:2", design="rct", sample_size=60, target_groups=("genicular", "saphenous"))
    add_study(con, "pmid:3", design="case_series", sample_size=None, target_groups=())
    add_study(con, "pmid:4", design="rct", relevant=False, target_groups=("genicular",))
    cells = {(r["target_group"], r["design"]): (r["studies"], r["patients"], r["studies_without_patients"])
             for r in query(con, "SELECT * FROM marts.studies_by_target_and_design")}
    assert cells == {("genicular", "rct"): (2, 100, 0), ("saphenous", "rct"): (1, 60, 0),
                     ("not reported", "case_series"): (1, 0, 1)}


# --- long_follow_up_responders ----------------------------------------------------------------

def test_long_follow_up_responders_applies_the_six_month_rule(con):
    add_study(con, "pmid:1", follow_up_days=180, responder_pct=62.0, responder_threshold_pct=50.0)
    add_study(con, "pmid:2", follow_up_days=90, responder_pct=80.0, responder_threshold_pct=50.0)
    add_study(con, "pmid:3", follow_up_days=365, responder_pct=40.0, responder_threshold_pct=50.0)
    add_study(con, "pmid:4", follow_up_days=180, responder_pct=70.0, responder_threshold_pct=30.0)
    add_study(con, "pmid:5", follow_up_days=180, responder_pct=70.0, responder_threshold_pct=None)
    add_study(con, "pmid:6", follow_up_days=270, responder_pct=75.0, responder_threshold_pct=50.0,
              relevant=False)
    add_study(con, "pmid:7", follow_up_days=180, responder_pct=50.0, responder_threshold_pct=50.0)
    rows = query(con, "SELECT * FROM marts.long_follow_up_responders")
    assert [r["article_id"] for r in rows] == ["pmid:1"]
    assert rows[0]["target_groups"] == ["genicular"] and rows[0]["follow_up_days"] == 180


def test_a_curated_follow_up_moves_a_study_into_long_follow_up_responders(con):
    add_study(con, "pmid:2", follow_up_days=90, responder_pct=80.0, responder_threshold_pct=50.0)
    curate(con, "pmid:2", "follow_up_days", 182, at(1))
    assert [r["article_id"] for r in query(con, "SELECT * FROM marts.long_follow_up_responders")] == ["pmid:2"]


# --- whats_new --------------------------------------------------------------------------------

def test_whats_new_lists_what_the_last_run_added_or_changed(con):
    add_run(con, "run-1", at(1))
    add_study(con, "pmid:1", "run-1", at(0.5), sample_size=40)
    add_study(con, "pmid:2", "run-1", at(0.5), sample_size=30)
    curate(con, "pmid:2", "design", "case_series", at(0.9))     # before run-1 ended: old news
    curate(con, "pmid:1", "guidance", ["fluoroscopy"], at(5))   # between the runs: new
    add_run(con, "run-2", at(25))
    add_study(con, "pmid:3", "run-2", at(24.5))                  # a new record
    add_article(con, "pmid:1", "run-2", at(24.5), version=2)     # the abstract was corrected ...
    add_extraction(con, "pmid:1", "run-2", at(24.5), article_version=2, sample_size=44)  # ... 40 -> 44
    curate(con, "pmid:2", "sample_size", 31, at(30))             # after run-2: tomorrow's news
    rows = query(con, "SELECT change, article_id, field, old_value, new_value, run_id FROM marts.whats_new")
    assert {r["run_id"] for r in rows} == {"run-2"}
    assert [(r["change"], r["article_id"], r["field"], r["old_value"], r["new_value"]) for r in rows] == [
        ("new record", "pmid:3", None, None, None),
        ("new version", "pmid:1", None, None, None),
        ("value changed", "pmid:1", "sample_size", "40", "44"),
        ("curated", "pmid:1", "guidance", "not reported", "fluoroscopy"),   # as a reader writes it
    ]


def test_whats_new_ignores_a_run_where_every_source_failed(con):
    add_run(con, "run-1", at(1))
    add_study(con, "pmid:1", "run-1", at(0.5))
    add_run(con, "run-2", at(25), status="failed")
    rows = query(con, "SELECT change, article_id, run_id FROM marts.whats_new")
    assert rows == [{"change": "new record", "article_id": "pmid:1", "run_id": "run-1"}]


# --- curation_backlog -------------------------------------------------------------------------

def test_curation_backlog_puts_relevant_records_and_core_fields_first(con):
    add_study(con, "pmid:1", flags=[("indication", "low confidence 0.40 < 0.60 (indication.noun)")])
    add_study(con, "pmid:2", flags=[("sample_size", "rules disagree: largest count 26, enrolment count 5")])
    add_study(con, "pmid:3", relevant=False, flags=[("design", "low confidence 0.45 < 0.60 (design.x)")])
    add_study(con, "pmid:4", flags=[("design", "missing on a relevant record")], design=None)
    curate(con, "pmid:4", "design", "case_series", at(1))       # settled: off the backlog
    add_validation_flag(con, "pmid:1", "follow_up_days", "follow_up_days 9000 is outside 1..7300")
    rows = query(con, "SELECT priority, article_id, field, raised_by, core_field, reasons, current_value "
                      "FROM marts.curation_backlog")
    assert [(r["priority"], r["article_id"], r["field"]) for r in rows] == [
        (1, "pmid:2", "sample_size"),
        (2, "pmid:1", "follow_up_days"),
        (2, "pmid:1", "indication"),
        (5, "pmid:3", "design"),
    ]
    assert rows[0]["current_value"] == "40" and rows[0]["core_field"]
    assert rows[1]["raised_by"] == ["validation"]
    assert rows[1]["reasons"] == ["follow_up_days 9000 is outside 1..7300"]


def test_curation_backlog_brings_back_an_override_made_on_an_older_record(con):
    add_study(con, "pmid:1", sample_size=18)
    curate(con, "pmid:1", "sample_size", 20, at(1))
    assert query(con, "SELECT * FROM marts.curation_backlog") == []
    add_article(con, "pmid:1", "run-2", at(24), version=2)      # the record changed since
    add_extraction(con, "pmid:1", "run-2", at(24), article_version=2, sample_size=18)
    rows = query(con, "SELECT priority, field, raised_by, current_value FROM marts.curation_backlog")
    assert rows == [{"priority": 1, "field": "sample_size", "raised_by": ["stale override"],
                     "current_value": "20"}]
    curate(con, "pmid:1", "sample_size", 21, at(25))             # re-checked on the new version
    assert query(con, "SELECT * FROM marts.curation_backlog") == []


# --- prisma_flow ------------------------------------------------------------------------------

def test_prisma_flow_counts_each_night_from_identified_to_curated(con):
    add_run(con, "run-1", at(1))
    con.execute("UPDATE ops.runs SET fetched = 3, unchanged = 1, quarantined = 1 WHERE source = 'pubmed'")
    con.execute("UPDATE ops.runs SET fetched = 1 WHERE source = 'europepmc'")
    add_study(con, "pmid:1", flags=[("design", "low confidence 0.41 < 0.60")])
    add_study(con, "pmid:2", relevant=False)
    add_study(con, "pmid:3")
    curate(con, "pmid:3", "sample_size", 41, at(2))
    flow = {(r["box"], r["source"]): r["records"]
            for r in query(con, "SELECT * FROM marts.prisma_flow WHERE run_id = 'run-1'")}
    assert flow == {("identified", "pubmed"): 3, ("identified", "europepmc"): 1,
                    ("duplicates", None): 1, ("unreadable", None): 1, ("screened", None): 3,
                    ("excluded", None): 1, ("relevant", None): 2, ("full_text", None): 0,
                    ("extracted", None): 2, ("flagged", None): 1, ("curated", None): 1}
    labels = [r["label"] for r in query(con, "SELECT label FROM marts.prisma_flow "
                                             "WHERE run_id = 'all nights' ORDER BY step, source")]
    assert labels[:2] == ["Records identified from Europe PMC preprints", "Records identified from PubMed"]
    assert "Records screened" in labels and "Reports with curated values" in labels
