-- "How did each night's records flow from search to extracted values?": the PRISMA 2020 flow
-- diagram's boxes, one row per night (run) and box, in the diagram's order, plus the same boxes
-- over all nights (run_id 'all nights').
--
-- What each box counts, from what the warehouse holds:
--   identified    records each source returned (ops.runs.fetched, one row per source);
--   duplicates    returned records of a work already held, unchanged (same PMID, DOI or
--                 preprint id; the same work from the other source counts here): merged;
--   unreadable    records quarantined with the reason (ops.runs.quarantined): "removed for
--                 other reasons";
--   screened      works new to the warehouse, or new versions of one, loaded by the night;
--   excluded      screened records judged not relevant (curated decision where there is one);
--   relevant      screened records judged relevant ("reports sought for retrieval");
--   full text     relevant records whose full text (PDF) was read;
--   extracted     relevant records with at least one core value (design, sample size, target);
--   flagged       relevant records with a flag no curator has settled (marts.curation_backlog);
--   curated       relevant records a curator has set or accepted a value of.
-- Relevance, flags and curation are today's state of each record, so a night's row moves as
-- curators work; the identification counts are as the night saw them.
CREATE OR REPLACE VIEW marts.prisma_flow AS
WITH nights AS (
    SELECT run_id, min(started_at) AS started_at
    FROM ops.runs GROUP BY run_id
),
identified AS (
    SELECT run_id, source, sum(fetched) AS fetched, sum(unchanged) AS unchanged,
           sum(quarantined) AS quarantined
    FROM ops.runs GROUP BY run_id, source
),
screened AS (
    SELECT a.run_id, a.article_id,
           ec.relevant,
           ec.design IS NOT NULL OR ec.sample_size IS NOT NULL
               OR len(coalesce(ec.targets, [])) > 0                        AS extracted,
           EXISTS (SELECT 1 FROM core.pdf_documents AS d WHERE d.article_id = a.article_id) AS full_text,
           EXISTS (SELECT 1 FROM marts.curation_backlog AS b WHERE b.article_id = a.article_id) AS flagged,
           len(ec.curated_fields) > 0                                     AS curated
    FROM (SELECT DISTINCT run_id, article_id FROM core.articles) AS a
    JOIN core.evidence_current AS ec ON ec.article_id = a.article_id
),
per_night AS (
    SELECT run_id, 1 AS step, 'Identification' AS stage, 'identified' AS box,
           'Records identified from ' || CASE source WHEN 'pubmed' THEN 'PubMed'
                                                      WHEN 'europepmc' THEN 'Europe PMC preprints'
                                                      ELSE source END AS label,
           source, fetched AS records
    FROM identified
    UNION ALL
    SELECT run_id, 2, 'Identification', 'duplicates', 'Duplicate records merged', NULL, sum(unchanged)
    FROM identified GROUP BY run_id
    UNION ALL
    SELECT run_id, 3, 'Identification', 'unreadable',
           'Records removed for other reasons (unreadable, quarantined)', NULL, sum(quarantined)
    FROM identified GROUP BY run_id
    UNION ALL
    SELECT n.run_id, 4, 'Screening', 'screened', 'Records screened', NULL,
           count(s.article_id) FROM nights AS n LEFT JOIN screened AS s ON s.run_id = n.run_id GROUP BY n.run_id
    UNION ALL
    SELECT n.run_id, 5, 'Screening', 'excluded', 'Records excluded (not relevant)', NULL,
           count(s.article_id) FILTER (WHERE s.relevant = false)
    FROM nights AS n LEFT JOIN screened AS s ON s.run_id = n.run_id GROUP BY n.run_id
    UNION ALL
    SELECT n.run_id, 6, 'Screening', 'relevant', 'Reports sought for retrieval (relevant)', NULL,
           count(s.article_id) FILTER (WHERE s.relevant)
    FROM nights AS n LEFT JOIN screened AS s ON s.run_id = n.run_id GROUP BY n.run_id
    UNION ALL
    SELECT n.run_id, 7, 'Screening', 'full_text', 'Full texts read (PDF)', NULL,
           count(s.article_id) FILTER (WHERE s.relevant AND s.full_text)
    FROM nights AS n LEFT JOIN screened AS s ON s.run_id = n.run_id GROUP BY n.run_id
    UNION ALL
    SELECT n.run_id, 8, 'Included', 'extracted', 'Reports with values extracted', NULL,
           count(s.article_id) FILTER (WHERE s.relevant AND s.extracted)
    FROM nights AS n LEFT JOIN screened AS s ON s.run_id = n.run_id GROUP BY n.run_id
    UNION ALL
    SELECT n.run_id, 9, 'Included', 'flagged', 'Reports with values awaiting a curator', NULL,
           count(s.article_id) FILTER (WHERE s.relevant AND s.flagged)
    FROM nights AS n LEFT JOIN screened AS s ON s.run_id = n.run_id GROUP BY n.run_id
    UNION ALL
    SELECT n.run_id, 10, 'Included', 'curated', 'Reports with curated values', NULL,
           count(s.article_id) FILTER (WHERE s.relevant AND s.curated)
    FROM nights AS n LEFT JOIN screened AS s ON s.run_id = n.run_id GROUP BY n.run_id
)
SELECT p.run_id, n.started_at::DATE AS night, p.step, p.stage, p.box, p.label, p.source,
       coalesce(p.records, 0)::BIGINT AS records
FROM per_night AS p JOIN nights AS n ON n.run_id = p.run_id
UNION ALL
SELECT 'all nights', NULL, step, stage, box, label, source, coalesce(sum(records), 0)::BIGINT
FROM per_night GROUP BY step, stage, box, label, source
ORDER BY night DESC NULLS FIRST, run_id, step, source;
