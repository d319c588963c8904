"""A small warehouse for curation tests, written with plain SQL (no staging, no extractor)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

from pipeline.warehouse import db

T0 = datetime(2024, 3, 6, tzinfo=timezone.utc)

GENICULAR_TITLE = "Ultrasound-guided cryoneurolysis of the genicular nerves: a randomized trial"
GENICULAR_ABSTRACT = ("Forty-two patients with knee osteoarthritis were randomized to cryoneurolysis "
                      "or sham. Pain improved at 6 months (NRS -3.1). "
                      "<b>Bold</b> claims & <script>alert('x')</script> were ignored.")


def add_article(con, article_id, title, abstract, version=1, loaded_at=T0):
    digest = hashlib.sha256(f"{title}\n{abstract}".encode()).hexdigest()
    if version > 1:
        con.execute("UPDATE core.articles SET is_current = false WHERE article_id = ?", [article_id])
    pmid = article_id.split(":", 1)[1]
    con.execute("""INSERT INTO core.articles (article_id, version, is_current, source, source_id, pmid,
                       title, abstract, year, article_hash, raw_hash, run_id, loaded_at)
                   VALUES (?, ?, true, 'pubmed', ?, ?, ?, ?, 2024, ?, ?, 'run-test', ?)""",
                [article_id, version, pmid, pmid, title, abstract, digest, digest, loaded_at])
    return digest


def add_extraction(con, article_id, extractor_version, values, flags=(), evidence=(),
                   article_version=1, extracted_at=None):
    """values: column -> value; evidence: (field, snippet, rule, confidence) found in the text."""
    extracted_at = extracted_at or T0 + timedelta(hours=1)
    columns = ["relevant", "design", "sample_size", "targets", "target_groups", "guidance",
               "follow_up_days", "responder_pct", "responder_threshold_pct", "mean_change",
               "outcome_scale", "outcome_direction", "indication", "adverse_events"]
    row = [values.get(c, [] if c in ("targets", "target_groups", "guidance") else None) for c in columns]
    con.execute(f"""INSERT INTO core.extractions (article_id, article_version, extractor_version,
                        {', '.join(columns)}, flags, run_id, extracted_at)
                    VALUES (?, ?, ?, {', '.join('?' * len(columns))}, ?, 'run-test', ?)""",
                [article_id, article_version, extractor_version, *row,
                 json.dumps([{"field": f, "reason": r} for f, r in flags]), extracted_at])
    if evidence:
        title, abstract = con.execute("SELECT title, abstract FROM core.articles WHERE article_id = ? "
                                      "AND version = ?", [article_id, article_version]).fetchone()
        text = title + "\n" + abstract
        for ordinal, (field, snippet, rule, confidence) in enumerate(evidence):
            start = text.index(snippet)
            con.execute("INSERT INTO core.evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [article_id, article_version, extractor_version, field, ordinal, snippet,
                         start, start + len(snippet), rule, confidence])


def add_flag(con, article_id, column, reason):
    flag_id = hashlib.sha256(f"{article_id}|{column}|{reason}".encode()).hexdigest()
    con.execute("""INSERT INTO ops.flags VALUES (?, 'run-test', 'extractions', 'expect_x',
                       'core.extractions_latest', ?, ?, ?, ?)""", [flag_id, article_id, column, reason, T0])


GENICULAR = dict(relevant=True, design="rct", sample_size=None, targets=["genicular nerves"],
                 target_groups=["genicular"], guidance=["ultrasound"], follow_up_days=180,
                 outcome_direction="improved", indication="knee osteoarthritis")


def build(settings):
    """Four current articles: 1001 (relevant, design + sample size flagged), 1002 (not relevant,
    indication flagged), 1003 (relevant, guidance flagged + an ops.flags row on follow-up),
    1004 (relevant, nothing flagged)."""
    con = db.connect(settings)
    add_article(con, "pmid:1001", GENICULAR_TITLE, GENICULAR_ABSTRACT)
    add_extraction(con, "pmid:1001", "t1", GENICULAR,
                   flags=[("design", "low confidence 0.41 < 0.60 (design.randomized_word)"),
                          ("sample_size", "missing on a relevant record")],
                   evidence=[("design", "randomized", "design.randomized_word", 0.41),
                             ("targets", "genicular nerves", "targets.nerve", 0.9),
                             ("guidance", "Ultrasound-guided", "guidance.us", 0.95),
                             ("follow_up", "6 months", "follow_up.months", 0.8),
                             ("outcome", "Pain improved at 6 months", "outcome.improved", 0.7)])
    add_article(con, "pmid:1002", "Cryotherapy with ice packs after knee surgery",
                "Ice packs were applied to 30 patients.")
    add_extraction(con, "pmid:1002", "t1", dict(relevant=False, design="rct", sample_size=30,
                                                indication="postoperative pain"),
                   flags=[("indication", "low confidence 0.30 < 0.50 (indication.after)")])
    add_article(con, "pmid:1003", "Cryoneurolysis for phantom limb pain: a case series",
                "Five patients were treated under fluoroscopy and followed for 25 years.")
    add_extraction(con, "pmid:1003", "t1", dict(relevant=True, design="case_series", sample_size=5,
                                                targets=["sciatic nerve"], target_groups=["sciatic"],
                                                guidance=["fluoroscopy"], follow_up_days=9125),
                   flags=[("guidance", "low confidence 0.50 < 0.60 (guidance.fluoro)")])
    add_flag(con, "pmid:1003", "follow_up_days", "follow_up_days 9125 is outside 1..7305")
    add_article(con, "pmid:1004", "Cryoneurolysis of intercostal nerves after thoracotomy",
                "Twenty patients had intercostal cryoneurolysis.")
    add_extraction(con, "pmid:1004", "t1", dict(relevant=True, design="prospective_observational",
                                                sample_size=20, targets=["intercostal nerves"],
                                                target_groups=["intercostal"]))
    return con


def evidence_current(con, article_id):
    cur = con.execute("SELECT * FROM core.evidence_current WHERE article_id = ?", [article_id])
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    return dict(zip(names, row)) if row else None
