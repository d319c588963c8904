-- "How often is the extractor right, per field, and how much is still unchecked?": an accuracy
-- estimate from curators' decisions, with its 95 % interval, per field and extractor version.
--
-- A decision judges the extractor's value when it is the first curation of that (record,
-- field) (`supersedes` is empty: later ones judge a curator) and was not undone. It counts as right when the
-- curator accepted the value, "corrected" it to the same value, or marked not reported a value
-- the extractor also left empty; as wrong otherwise. Lists compare as sets, numbers as numbers.
-- The interval is Wilson's score interval (z = 1.96), sound for small counts and for 0 % or
-- 100 %. Caveat, said in the report too: curators mostly review flagged values, so the estimate
-- describes reviewed values, which include more doubtful ones than the rest.
-- `unreviewed`: current records read by that extractor version whose field no curator has
-- settled yet.
CREATE OR REPLACE VIEW marts.extraction_accuracy AS
WITH fields(field, position) AS (
    VALUES ('relevant', 1), ('design', 2), ('sample_size', 3), ('targets', 4), ('target_groups', 5),
           ('guidance', 6), ('follow_up_days', 7), ('outcome_scale', 8), ('mean_change', 9),
           ('responder_pct', 10), ('responder_threshold_pct', 11), ('outcome_direction', 12),
           ('indication', 13), ('adverse_events', 14)
),
decisions AS (
    SELECT c.field, coalesce(c.extractor_version, 'unknown') AS extractor_version,
           CASE
               WHEN c.action = 'accept' THEN true
               WHEN json_type(c.old_value) = 'ARRAY' AND json_type(c.new_value) = 'ARRAY'
                   THEN list_sort(from_json(c.old_value, '["VARCHAR"]'))
                        = list_sort(from_json(c.new_value, '["VARCHAR"]'))
               WHEN json_type(c.old_value) IN ('BIGINT', 'UBIGINT', 'DOUBLE')
                    AND json_type(c.new_value) IN ('BIGINT', 'UBIGINT', 'DOUBLE')
                   THEN (c.old_value->>'$')::DOUBLE = (c.new_value->>'$')::DOUBLE
               ELSE coalesce(c.old_value::VARCHAR, 'null') = coalesce(c.new_value::VARCHAR, 'null')
           END AS right_value
    FROM core.curation AS c
    WHERE c.supersedes IS NULL AND c.action <> 'undo'
      -- an undone decision was a slip, not a judgement
      AND NOT EXISTS (SELECT 1 FROM core.curation AS u
                      WHERE u.supersedes = c.curation_id AND u.reason LIKE 'undo:%')
),
judged AS (
    SELECT field, extractor_version, count(*) AS reviewed,
           count(*) FILTER (WHERE right_value) AS accepted
    FROM decisions GROUP BY field, extractor_version
),
unreviewed AS (
    SELECT f.field, ec.extractor_version, count(*) AS unreviewed
    FROM core.evidence_current AS ec
    CROSS JOIN fields AS f
    WHERE ec.extractor_version IS NOT NULL AND NOT list_contains(ec.curated_fields, f.field)
    GROUP BY f.field, ec.extractor_version
),
counts AS (
    SELECT coalesce(j.field, u.field) AS field,
           coalesce(j.extractor_version, u.extractor_version) AS extractor_version,
           coalesce(j.reviewed, 0) AS reviewed, coalesce(j.accepted, 0) AS accepted,
           coalesce(u.unreviewed, 0) AS unreviewed
    FROM judged AS j
    FULL OUTER JOIN unreviewed AS u ON u.field = j.field AND u.extractor_version = j.extractor_version
),
wilson AS (
    SELECT *, accepted / nullif(reviewed, 0)::DOUBLE AS p, 1.96 AS z FROM counts
)
SELECT
    w.field,
    w.extractor_version,
    w.reviewed,
    w.accepted,
    w.reviewed - w.accepted AS corrected,
    round(w.p, 4) AS accuracy,
    round((w.p + w.z * w.z / (2 * w.reviewed)
           - w.z * sqrt(w.p * (1 - w.p) / w.reviewed + w.z * w.z / (4.0 * w.reviewed * w.reviewed)))
          / (1 + w.z * w.z / w.reviewed), 4) AS ci_low,
    round((w.p + w.z * w.z / (2 * w.reviewed)
           + w.z * sqrt(w.p * (1 - w.p) / w.reviewed + w.z * w.z / (4.0 * w.reviewed * w.reviewed)))
          / (1 + w.z * w.z / w.reviewed), 4) AS ci_high,
    w.unreviewed
FROM wilson AS w
LEFT JOIN fields AS f ON f.field = w.field
ORDER BY coalesce(f.position, 99), w.field, w.extractor_version DESC;
