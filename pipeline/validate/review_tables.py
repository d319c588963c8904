"""Flags where a review's evidence table and our extraction of the cited study disagree.

A narrative or systematic review's "characteristics of included studies" table is a second,
independent reading of each study it cites. When its design, patient count or follow-up for a
study differs from what the warehouse holds for that same study (found by DOI), one of the two
is wrong, and a curator should look: the flag goes on the cited study's field, with the review
and its reference number in the reason.
"""

from __future__ import annotations

import duckdb

from pipeline.validate.flags import Flag, flag_id

SUITE = "review_tables"
EXPECTATION = "expect_cited_study_to_match_review_table"
TABLE = "core.evidence_current"


def review_table_flags(con: duckdb.DuckDBPyConnection) -> list[Flag]:
    rows = con.execute("""SELECT review_id, ref, cited_article_id, field, table_value, extracted_value
                          FROM core.evidence_row_disagreements
                          ORDER BY cited_article_id, field, review_id""").fetchall()
    return [Flag(flag_id=flag_id(SUITE, EXPECTATION, TABLE, cited, field), suite=SUITE,
                 expectation=EXPECTATION, table_name=TABLE, record_id=cited, column_name=field,
                 reason=(f"{field} is {extracted} here, but review {review} (table row, reference "
                         f"[{ref}]) says {table}"))
            for review, ref, cited, field, table, extracted in rows]
