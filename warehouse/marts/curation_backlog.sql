-- "What should a curator look at next?": every flagged (record, field) that no curator has
-- settled yet, most urgent first.
--
-- Flags come from three places, and a curator needs all of them in one queue:
--   'extractor'       core.extractions.flags of the latest extraction (low confidence, rules
--                     that disagree, a core field missing on a relevant record);
--   'validation'      ops.flags, rows that failed a row-level expectation;
--   'stale override'  an override in force that was made on an earlier version of the source
--                     record (evidence_current.stale_override), checked field by field.
-- Settled means a curator's value is in force for that field (core.curation_in_force): it wins
-- over every extraction, so a flag on the extractor's value no longer affects what analysts
-- read. A stale override is settled by curating the field again on the current record.
-- Priority (1 = first): relevant records before undecided before irrelevant ones, because only
-- relevant records reach the evidence table; within each, EXTRACTION_SPEC's core fields first
-- (design, sample size, targets: the columns every review table and the evidence map rest on).
CREATE OR REPLACE VIEW marts.curation_backlog AS
WITH extractor_flags AS (
    SELECT article_id, flag.field AS field, flag.reason AS reason,
           'extractor' AS raised_by, extracted_at AS raised_at
    FROM (
        SELECT e.article_id, e.extracted_at,
               unnest(coalesce(from_json(e.flags, '[{"field": "VARCHAR", "reason": "VARCHAR"}]'), [])) AS flag
        FROM core.extractions_latest AS e
    )
),
validation_flags AS (
    SELECT f.record_id AS article_id, coalesce(f.column_name, 'record') AS field, f.reason,
           'validation' AS raised_by, f.created_at AS raised_at
    FROM ops.flags AS f
    JOIN core.articles_current AS a ON a.article_id = f.record_id
),
stale_overrides AS (
    SELECT c.article_id, c.field,
           'override made on an earlier version of the record (curated by ' || c.curator ||
           ' on ' || strftime(c.curated_at, '%Y-%m-%d') || ')' AS reason,
           'stale override' AS raised_by, c.curated_at AS raised_at
    FROM core.curation_in_force AS c
    JOIN core.evidence_current AS ec ON ec.article_id = c.article_id
    JOIN core.articles_current AS a ON a.article_id = c.article_id
    WHERE ec.stale_override AND c.article_hash IS DISTINCT FROM a.article_hash
),
open_flags AS (
    SELECT f.*
    FROM (SELECT * FROM extractor_flags UNION ALL SELECT * FROM validation_flags) AS f
    -- The extractor names some fields after the span (follow_up, outcome, targets) where the
    -- curated column is the normalised value (follow_up_days, outcome_direction, target_groups).
    WHERE NOT EXISTS (
        SELECT 1 FROM core.curation_in_force AS c
        WHERE c.article_id = f.article_id
          AND c.field IN (f.field, CASE f.field WHEN 'follow_up' THEN 'follow_up_days'
                                                WHEN 'outcome'   THEN 'outcome_direction'
                                                WHEN 'targets'   THEN 'target_groups' END))
    UNION ALL
    SELECT * FROM stale_overrides
),
per_field AS (
    SELECT article_id, field,
           list(DISTINCT reason ORDER BY reason)       AS reasons,
           list(DISTINCT raised_by ORDER BY raised_by) AS raised_by,
           count(*)                                     AS flags,
           min(raised_at)                               AS first_raised_at
    FROM open_flags
    GROUP BY article_id, field
)
SELECT
    1 + 2 * CASE WHEN ec.relevant THEN 0 WHEN ec.relevant IS NULL THEN 1 ELSE 2 END
      + CASE WHEN p.core_field THEN 0 ELSE 1 END                    AS priority,
    ec.relevant,
    p.field,
    p.core_field,
    p.reasons,
    p.raised_by,
    -- The value analysts read today, as JSON text, so the curator sees what is being judged.
    CASE p.field
        WHEN 'relevant'          THEN to_json(ec.relevant)
        WHEN 'design'            THEN to_json(ec.design)
        WHEN 'sample_size'       THEN to_json(ec.sample_size)
        WHEN 'targets'           THEN to_json(ec.targets)
        WHEN 'target_groups'     THEN to_json(ec.target_groups)
        WHEN 'guidance'          THEN to_json(ec.guidance)
        WHEN 'follow_up'         THEN to_json(ec.follow_up_days)
        WHEN 'follow_up_days'    THEN to_json(ec.follow_up_days)
        WHEN 'outcome'           THEN to_json(ec.outcome_text)
        WHEN 'outcome_direction' THEN to_json(ec.outcome_direction)
        WHEN 'outcome_scale'     THEN to_json(ec.outcome_scale)
        WHEN 'mean_change'       THEN to_json(ec.mean_change)
        WHEN 'responder_pct'     THEN to_json(ec.responder_pct)
        WHEN 'responder_threshold_pct' THEN to_json(ec.responder_threshold_pct)
        WHEN 'indication'        THEN to_json(ec.indication)
        WHEN 'adverse_events'    THEN to_json(ec.adverse_events)
    END::VARCHAR                                                     AS current_value,
    concat_ws(' ', coalesce(ec.first_author, 'Anonymous'), ec.year::VARCHAR) AS study,
    ec.title,
    p.article_id,
    ec.pmid,
    ec.doi,
    p.flags,
    p.first_raised_at
FROM (SELECT *, field IN ('design', 'sample_size', 'targets') AS core_field  -- EXTRACTION_SPEC's core fields
      FROM per_field) AS p
JOIN core.evidence_current AS ec ON ec.article_id = p.article_id
ORDER BY priority, list_contains(p.raised_by, 'stale override') DESC, p.first_raised_at,
         p.article_id, p.field;
