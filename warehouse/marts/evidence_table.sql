-- "What does the evidence say?": the Table 1 of a review, one row per relevant study.
--
-- Built on core.evidence_current, never on raw extractions, so a curator's correction is what
-- the analyst sees (and keeps seeing after re-extraction). Only relevant studies: a review's
-- Table 1 lists included studies, and `relevant` is the pipeline's inclusion decision.
-- Columns come in the order a Table 1 reads (study, design, patients, targets, guidance,
-- follow-up, outcome); the raw values ride along after them so analysts can filter and sort
-- without re-parsing the display strings.
CREATE OR REPLACE VIEW marts.evidence_table AS
WITH studies AS (
    SELECT
        ec.*,
        -- Evidence-hierarchy rank: Table 1 usually lists stronger designs first.
        CASE ec.design
            WHEN 'systematic_review'           THEN 1
            WHEN 'rct'                         THEN 2
            WHEN 'nonrandomized_trial'         THEN 3
            WHEN 'prospective_observational'   THEN 4
            WHEN 'retrospective_observational' THEN 5
            WHEN 'case_series'                 THEN 6
            WHEN 'case_report'                 THEN 7
            WHEN 'narrative_review'            THEN 8
            WHEN 'protocol'                    THEN 9
            WHEN 'technical_note'              THEN 10
            ELSE 11
        END AS design_rank
    FROM core.evidence_current AS ec
    WHERE ec.relevant
)
SELECT
    -- "Smith 2024": how a review cites a study; the id keeps two Smiths of 2024 apart.
    concat_ws(' ', coalesce(first_author, 'Anonymous'), year::VARCHAR) AS study,
    first_author,
    year,
    coalesce(design, 'not reported')                                   AS design,
    sample_size                                                        AS patients,
    -- Targets as named in the paper; the canonical groups are what maps and filters use.
    CASE WHEN len(coalesce(targets, [])) > 0 THEN array_to_string(targets, '; ')
         ELSE 'not reported' END                                       AS targets,
    CASE WHEN len(coalesce(guidance, [])) > 0 THEN array_to_string(guidance, ', ')
         ELSE 'not reported' END                                       AS guidance,
    -- Follow-up in the unit a reader expects: 180 days reads "6 months", 84 days "12 weeks".
    CASE
        WHEN follow_up_days IS NULL THEN 'not reported'
        WHEN follow_up_days >= 365 AND follow_up_days % 365 = 0
            THEN (follow_up_days // 365)::VARCHAR || CASE WHEN follow_up_days = 365 THEN ' year' ELSE ' years' END
        WHEN follow_up_days >= 30 AND follow_up_days % 30 = 0
            THEN (follow_up_days // 30)::VARCHAR || CASE WHEN follow_up_days = 30 THEN ' month' ELSE ' months' END
        WHEN follow_up_days >= 7 AND follow_up_days % 7 = 0
            THEN (follow_up_days // 7)::VARCHAR || CASE WHEN follow_up_days = 7 THEN ' week' ELSE ' weeks' END
        ELSE follow_up_days::VARCHAR || CASE WHEN follow_up_days = 1 THEN ' day' ELSE ' days' END
    END                                                                AS follow_up,
    -- The outcome as a review summarises it: responders, mean change, direction; the
    -- sentence itself stays in outcome_text for anyone who wants the source wording.
    coalesce(nullif(concat_ws('; ',
        CASE WHEN responder_pct IS NOT NULL THEN
            printf('%.4g%% responders', responder_pct) ||
            CASE WHEN responder_threshold_pct IS NOT NULL
                 THEN printf(' (>%.4g%% relief)', responder_threshold_pct) ELSE '' END
        END,
        CASE WHEN mean_change IS NOT NULL THEN
            printf('mean change %+.3g', mean_change) ||
            CASE WHEN outcome_scale IS NOT NULL THEN ' ' || upper(outcome_scale) ELSE '' END
        END,
        replace(outcome_direction, '_', ' ')
    ), ''), 'not reported')                                            AS outcome,
    indication,
    article_id,
    pmid,
    doi,
    preprint_id,
    title,
    journal,
    target_groups,
    guidance                                                           AS guidance_list,
    follow_up_days,
    responder_pct,
    responder_threshold_pct,
    mean_change,
    outcome_scale,
    outcome_direction,
    outcome_text,
    adverse_events,
    design_rank,
    -- Which values a curator set, and whether an override predates the current record.
    curated_fields,
    stale_override
FROM studies
ORDER BY design_rank, year DESC NULLS LAST, first_author, article_id;
