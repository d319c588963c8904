-- "What changed since yesterday?": the records and values the last run added or changed, so an
-- analyst can re-check only what moved instead of diffing the whole evidence table.
--
-- The last run is the newest run_id in ops.runs with at least one source that succeeded (a
-- night where every source failed loaded nothing, and yesterday's changes are still the news).
-- One row per change:
--   'new record'    a work seen for the first time (core.articles version 1 loaded by the run);
--   'new version'   a known work whose source record changed (e.g. a corrected abstract);
--   'value changed' an extracted value that differs from the previous extraction of the same
--                   work (new record version or new extractor version) - one row per field;
--   'curated'       a curator's override recorded since the previous run finished, up to the
--                   end of the last run (the window the last snapshot picked up).
-- old_value / new_value are the values as a reader writes them ("rct", "genicular; saphenous",
-- "yes", "not reported"); old_json / new_json keep them as JSON text, typed, the way
-- core.curation stores them. `overridden` says the field has a curator's value in force:
-- then an extraction change does not change what analysts read.
CREATE OR REPLACE VIEW marts.whats_new AS
WITH runs AS (
    SELECT run_id,
           min(started_at)                          AS started_at,
           max(coalesce(finished_at, started_at))   AS finished_at,
           bool_or(status = 'succeeded')            AS any_succeeded
    FROM ops.runs
    GROUP BY run_id
),
last_run AS (
    SELECT run_id, started_at, finished_at
    FROM runs
    WHERE any_succeeded
    ORDER BY finished_at DESC NULLS LAST, run_id DESC
    LIMIT 1
),
previous_run AS (
    SELECT max(r.finished_at) AS finished_at
    FROM runs AS r, last_run AS l
    WHERE r.run_id <> l.run_id AND r.finished_at < l.finished_at
),
records AS (
    SELECT a.article_id,
           CASE WHEN a.version = 1 THEN 'new record' ELSE 'new version' END AS change,
           NULL::VARCHAR AS field, NULL::VARCHAR AS old_value, NULL::VARCHAR AS new_value,
           a.loaded_at AS changed_at, a.run_id AS changed_by, NULL::VARCHAR AS note
    FROM core.articles AS a
    JOIN last_run AS l ON a.run_id = l.run_id
),
-- Every extraction as (field, value) pairs, in the order they were made, so each value can be
-- compared with the one before it for the same work and field.
extraction_values AS (
    SELECT *
    FROM (
        SELECT article_id, article_version, extractor_version, run_id, extracted_at,
               to_json(relevant)::VARCHAR                AS relevant,
               to_json(design)::VARCHAR                  AS design,
               to_json(sample_size)::VARCHAR             AS sample_size,
               to_json(targets)::VARCHAR                 AS targets,
               to_json(target_groups)::VARCHAR           AS target_groups,
               to_json(guidance)::VARCHAR                AS guidance,
               to_json(follow_up_days)::VARCHAR          AS follow_up_days,
               to_json(responder_pct)::VARCHAR           AS responder_pct,
               to_json(responder_threshold_pct)::VARCHAR AS responder_threshold_pct,
               to_json(mean_change)::VARCHAR             AS mean_change,
               to_json(outcome_scale)::VARCHAR           AS outcome_scale,
               to_json(outcome_direction)::VARCHAR       AS outcome_direction,
               to_json(indication)::VARCHAR              AS indication,
               to_json(adverse_events)::VARCHAR          AS adverse_events
        FROM core.extractions
        -- Only works the last run extracted can have a change by it: their whole history, and
        -- not the rest of the warehouse's, is unpivoted and compared.
        WHERE article_id IN (SELECT e.article_id FROM core.extractions AS e
                             JOIN last_run AS l ON e.run_id = l.run_id)
    )
    -- INCLUDE NULLS: a value that appears or disappears is a change too.
    UNPIVOT INCLUDE NULLS (value FOR field IN (
        relevant, design, sample_size, targets, target_groups, guidance, follow_up_days,
        responder_pct, responder_threshold_pct, mean_change, outcome_scale, outcome_direction,
        indication, adverse_events))
),
extraction_history AS (
    SELECT *,
           lag(value) OVER w      AS previous_value,
           row_number() OVER w    AS nth
    FROM extraction_values
    WINDOW w AS (PARTITION BY article_id, field
                 ORDER BY extracted_at, article_version, extractor_version)
),
value_changes AS (
    SELECT h.article_id, 'value changed' AS change, h.field,
           h.previous_value AS old_value, h.value AS new_value,
           h.extracted_at AS changed_at, h.run_id AS changed_by,
           'extractor ' || h.extractor_version AS note
    FROM extraction_history AS h
    JOIN last_run AS l ON h.run_id = l.run_id
    -- nth > 1: a first extraction is part of a 'new record', not a change.
    WHERE h.nth > 1 AND h.value IS DISTINCT FROM h.previous_value
),
curations AS (
    SELECT c.article_id, 'curated' AS change, c.field,
           c.old_value::VARCHAR AS old_value, c.new_value::VARCHAR AS new_value,
           c.curated_at AS changed_at, c.curator AS changed_by,
           c.action || ': ' || c.reason AS note
    FROM core.curation AS c, last_run AS l, previous_run AS p
    WHERE c.curated_at <= l.finished_at
      AND (p.finished_at IS NULL OR c.curated_at > p.finished_at)
),
changes AS (
    SELECT * FROM records
    UNION ALL SELECT * FROM value_changes
    UNION ALL SELECT * FROM curations
)
SELECT
    l.run_id,
    ch.change,
    ch.article_id,
    concat_ws(' ', coalesce(ec.first_author, 'Anonymous'), ec.year::VARCHAR) AS study,
    ec.title,
    ec.relevant,
    ch.field,
    CASE WHEN ch.change IN ('value changed', 'curated') THEN
        CASE json_type(ch.old_value::JSON)
            WHEN 'NULL'    THEN 'not reported'
            WHEN 'VARCHAR' THEN ch.old_value::JSON->>'$'
            WHEN 'BOOLEAN' THEN CASE WHEN (ch.old_value::JSON->>'$')::BOOLEAN THEN 'yes' ELSE 'no' END
            WHEN 'ARRAY'   THEN coalesce(nullif(array_to_string(from_json(ch.old_value::JSON, '["VARCHAR"]'), '; '), ''), 'none')
            ELSE coalesce(ch.old_value, 'not reported')
        END END                                                   AS old_value,
    CASE WHEN ch.change IN ('value changed', 'curated') THEN
        CASE json_type(ch.new_value::JSON)
            WHEN 'NULL'    THEN 'not reported'
            WHEN 'VARCHAR' THEN ch.new_value::JSON->>'$'
            WHEN 'BOOLEAN' THEN CASE WHEN (ch.new_value::JSON->>'$')::BOOLEAN THEN 'yes' ELSE 'no' END
            WHEN 'ARRAY'   THEN coalesce(nullif(array_to_string(from_json(ch.new_value::JSON, '["VARCHAR"]'), '; '), ''), 'none')
            ELSE coalesce(ch.new_value, 'not reported')
        END END                                                   AS new_value,
    ch.old_value                                                  AS old_json,
    ch.new_value                                                  AS new_json,
    coalesce(list_contains(ec.curated_fields, ch.field), false) AS overridden,
    ch.changed_at,
    ch.changed_by,
    ch.note
FROM changes AS ch
CROSS JOIN last_run AS l
LEFT JOIN core.evidence_current AS ec ON ec.article_id = ch.article_id
ORDER BY CASE ch.change WHEN 'new record' THEN 1 WHEN 'new version' THEN 2
                        WHEN 'value changed' THEN 3 ELSE 4 END,
         ec.relevant DESC NULLS LAST, ch.article_id, ch.field, ch.changed_at;
