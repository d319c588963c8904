-- "What do reviews, protocols and technical notes on the topic say?": the relevant secondary
-- literature, kept apart from the evidence table because it reports other people's patients
-- (a review's responder rate is its cited studies'), or none yet (a protocol).
-- `table_rows` counts the rows of a review's "characteristics of included studies" table read
-- from its PDF (core.evidence_rows); `cited_in_warehouse` how many of them we hold ourselves.
CREATE OR REPLACE VIEW marts.reviews_and_protocols AS
WITH table_rows AS (
    SELECT r.article_id,
           count(*)                                                     AS table_rows,
           count(DISTINCT c.article_id)                                 AS cited_in_warehouse
    FROM core.evidence_rows AS r
    JOIN core.articles_current AS a ON a.article_id = r.article_id AND a.version = r.article_version
    LEFT JOIN core.articles_current AS c ON lower(c.doi) = lower(r.doi)
    GROUP BY r.article_id
)
SELECT
    s.study,
    s.publication_kind,
    coalesce(s.design, 'not reported')            AS design,
    s.targets_text                                AS targets,
    coalesce(s.indication, 'not reported')        AS indication,
    s.outcome_summary                             AS outcome_as_reported,
    coalesce(t.table_rows, 0)                     AS table_rows,
    coalesce(t.cited_in_warehouse, 0)             AS cited_in_warehouse,
    s.title,
    s.journal,
    s.pubmed_url,
    s.doi_url,
    s.full_text_url,
    s.pdf_url,
    s.article_id,
    s.pmid,
    s.doi,
    s.preprint_id,
    s.year,
    s.target_groups,
    s.curated_fields,
    s.stale_override
FROM core.studies AS s
LEFT JOIN table_rows AS t ON t.article_id = s.article_id
WHERE s.relevant AND s.publication_kind <> 'primary study'
ORDER BY s.design_rank, s.year DESC NULLS LAST, s.first_author, s.article_id;
