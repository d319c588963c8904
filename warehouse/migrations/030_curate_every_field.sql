-- Every extracted value is curatable: the outcome's numbers and scale, and adverse events, join
-- the fields a curator's override replaces in what analysts read. Same columns, same order as
-- before (migration 002): only more of them take the curator's value.
CREATE OR REPLACE VIEW core.evidence_current AS
WITH o AS (
    SELECT article_id,
           max(new_value) FILTER (WHERE field = 'relevant')                AS relevant,
           max(new_value) FILTER (WHERE field = 'design')                  AS design,
           max(new_value) FILTER (WHERE field = 'sample_size')             AS sample_size,
           max(new_value) FILTER (WHERE field = 'targets')                 AS targets,
           max(new_value) FILTER (WHERE field = 'target_groups')           AS target_groups,
           max(new_value) FILTER (WHERE field = 'guidance')                AS guidance,
           max(new_value) FILTER (WHERE field = 'follow_up_days')          AS follow_up_days,
           max(new_value) FILTER (WHERE field = 'responder_pct')           AS responder_pct,
           max(new_value) FILTER (WHERE field = 'responder_threshold_pct') AS responder_threshold_pct,
           max(new_value) FILTER (WHERE field = 'mean_change')             AS mean_change,
           max(new_value) FILTER (WHERE field = 'outcome_scale')           AS outcome_scale,
           max(new_value) FILTER (WHERE field = 'outcome_direction')       AS outcome_direction,
           max(new_value) FILTER (WHERE field = 'indication')              AS indication,
           max(new_value) FILTER (WHERE field = 'adverse_events')          AS adverse_events,
           list(field ORDER BY field)                                      AS curated_fields,
           list(DISTINCT article_hash)                                     AS curated_hashes
    FROM core.curation_in_force
    GROUP BY article_id
)
SELECT
    a.article_id, a.version AS article_version, e.extractor_version,
    a.source, a.pmid, a.doi, a.preprint_id, a.title, a.first_author, a.year, a.journal,
    CASE WHEN o.relevant IS NOT NULL THEN (o.relevant->>'$')::BOOLEAN ELSE e.relevant END AS relevant,
    CASE WHEN o.design IS NOT NULL THEN o.design->>'$' ELSE e.design END AS design,
    CASE WHEN o.sample_size IS NOT NULL THEN (o.sample_size->>'$')::INTEGER ELSE e.sample_size END AS sample_size,
    CASE WHEN o.targets IS NOT NULL THEN coalesce(from_json(o.targets, '["VARCHAR"]'), []) ELSE e.targets END AS targets,
    CASE WHEN o.target_groups IS NOT NULL THEN coalesce(from_json(o.target_groups, '["VARCHAR"]'), []) ELSE e.target_groups END AS target_groups,
    CASE WHEN o.guidance IS NOT NULL THEN coalesce(from_json(o.guidance, '["VARCHAR"]'), []) ELSE e.guidance END AS guidance,
    CASE WHEN o.follow_up_days IS NOT NULL THEN (o.follow_up_days->>'$')::INTEGER ELSE e.follow_up_days END AS follow_up_days,
    e.outcome_text,
    CASE WHEN o.responder_pct IS NOT NULL THEN (o.responder_pct->>'$')::DOUBLE ELSE e.responder_pct END AS responder_pct,
    CASE WHEN o.responder_threshold_pct IS NOT NULL THEN (o.responder_threshold_pct->>'$')::DOUBLE ELSE e.responder_threshold_pct END AS responder_threshold_pct,
    CASE WHEN o.mean_change IS NOT NULL THEN (o.mean_change->>'$')::DOUBLE ELSE e.mean_change END AS mean_change,
    CASE WHEN o.outcome_scale IS NOT NULL THEN o.outcome_scale->>'$' ELSE e.outcome_scale END AS outcome_scale,
    CASE WHEN o.outcome_direction IS NOT NULL THEN o.outcome_direction->>'$' ELSE e.outcome_direction END AS outcome_direction,
    CASE WHEN o.indication IS NOT NULL THEN o.indication->>'$' ELSE e.indication END AS indication,
    CASE WHEN o.adverse_events IS NOT NULL THEN o.adverse_events->>'$' ELSE e.adverse_events END AS adverse_events,
    e.flags,
    coalesce(o.curated_fields, []) AS curated_fields,
    coalesce(NOT list_contains(o.curated_hashes, a.article_hash) OR len(o.curated_hashes) > 1, false) AS stale_override
FROM core.articles_current a
LEFT JOIN core.extractions_latest e ON e.article_id = a.article_id
LEFT JOIN o ON o.article_id = a.article_id;
