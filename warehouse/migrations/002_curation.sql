-- Curator overrides. A curator's value wins over every extraction, past and future, and keeps
-- who, when, why, and what it corrected. Rows are never updated or deleted: the override in
-- force for (article_id, field) is the newest row; `supersedes` names the row the curator saw,
-- so two curators editing the same field at once are detected as a conflict, not overwritten.
CREATE TABLE core.curation (
    curation_id        VARCHAR PRIMARY KEY,
    article_id         VARCHAR NOT NULL,
    field              VARCHAR NOT NULL,      -- relevant | design | sample_size | targets | ...
    action             VARCHAR NOT NULL,      -- accept | correct | not_reported
    old_value          JSON,                  -- the value shown to the curator
    new_value          JSON,                  -- the value in force (JSON null for not_reported)
    curator            VARCHAR NOT NULL,
    reason             VARCHAR NOT NULL,
    curated_at         TIMESTAMPTZ NOT NULL,
    extractor_version  VARCHAR,               -- the extraction the curator corrected
    article_version    INTEGER,
    article_hash       VARCHAR,               -- the source record's content when curated
    supersedes         VARCHAR                -- curation_id this one replaces, if any
);

CREATE VIEW core.curation_in_force AS
SELECT * FROM core.curation
QUALIFY row_number() OVER (PARTITION BY article_id, field ORDER BY curated_at DESC, curation_id DESC) = 1;

-- What analysts read: the latest extraction of each current article, with every curated field
-- replaced by the curator's value. `stale_override` marks an override made on an earlier
-- version of the source record (e.g. the abstract was corrected since): still in force, flagged.
CREATE VIEW core.evidence_current AS
WITH o AS (
    SELECT article_id,
           max(new_value) FILTER (WHERE field = 'relevant')        AS relevant,
           max(new_value) FILTER (WHERE field = 'design')          AS design,
           max(new_value) FILTER (WHERE field = 'sample_size')     AS sample_size,
           max(new_value) FILTER (WHERE field = 'targets')         AS targets,
           max(new_value) FILTER (WHERE field = 'target_groups')   AS target_groups,
           max(new_value) FILTER (WHERE field = 'guidance')        AS guidance,
           max(new_value) FILTER (WHERE field = 'follow_up_days')  AS follow_up_days,
           max(new_value) FILTER (WHERE field = 'outcome_direction') AS outcome_direction,
           max(new_value) FILTER (WHERE field = 'indication')      AS indication,
           list(field ORDER BY field)                              AS curated_fields,
           list(DISTINCT article_hash)                             AS curated_hashes
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
    e.outcome_text, e.responder_pct, e.responder_threshold_pct, e.mean_change, e.outcome_scale,
    CASE WHEN o.outcome_direction IS NOT NULL THEN o.outcome_direction->>'$' ELSE e.outcome_direction END AS outcome_direction,
    CASE WHEN o.indication IS NOT NULL THEN o.indication->>'$' ELSE e.indication END AS indication,
    e.adverse_events, e.flags,
    coalesce(o.curated_fields, []) AS curated_fields,
    coalesce(NOT list_contains(o.curated_hashes, a.article_hash) OR len(o.curated_hashes) > 1, false) AS stale_override
FROM core.articles_current a
LEFT JOIN core.extractions_latest e ON e.article_id = a.article_id
LEFT JOIN o ON o.article_id = a.article_id;
