-- "Where is the evidence, and where are the gaps?": the evidence map, one row per
-- (target group, design) cell, with how many relevant studies and patients fall in it.
--
-- A study that treats several nerve groups counts once in each of its groups (that is what an
-- evidence map shows), so `patients` summed across groups double-counts such studies: sum
-- marts.evidence_table.patients for a total. Studies with no target or design reported are
-- kept under 'not reported' rather than dropped, so the map still adds up to the Table 1.
-- Built on core.evidence_current so curated targets and designs move studies between cells.
CREATE OR REPLACE VIEW marts.studies_by_target_and_design AS
WITH study_groups AS (
    SELECT
        ec.article_id,
        ec.sample_size,
        ec.year,
        coalesce(ec.design, 'not reported') AS design,
        unnest(CASE WHEN len(coalesce(ec.target_groups, [])) > 0
                    THEN list_distinct(ec.target_groups)
                    ELSE ['not reported'] END) AS target_group
    FROM core.evidence_current AS ec
    WHERE ec.relevant
)
SELECT
    target_group,
    design,
    count(*)                                         AS studies,
    -- NULL sample sizes (reviews, protocols, unreported) add nothing rather than hiding the cell.
    coalesce(sum(sample_size), 0)::BIGINT            AS patients,
    count(*) FILTER (WHERE sample_size IS NULL)      AS studies_without_patients,
    min(year)                                        AS first_year,
    max(year)                                        AS last_year,
    list(article_id ORDER BY article_id)             AS article_ids
FROM study_groups
GROUP BY target_group, design
ORDER BY studies DESC, patients DESC, target_group, design;
