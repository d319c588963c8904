-- core.studies: each current record as a review table shows it, for the marts to share.
-- (A helper view, not a mart: it lives in core, so it is neither exported nor listed as a mart.
-- It sits in warehouse/marts/ so that, like the marts, it is re-applied whenever it changes.)
--
-- Portable SQL only: the published snapshot is opened by DuckDB 1.0 and by DuckDB 2.x, and
-- the two have no lambda syntax in common, so lists are handled with unnest and subqueries.
--
--  * publication_kind: primary studies apart from reviews, protocols and technical notes, which
--    report no patients of their own (a review's responder rate is its cited studies').
--  * targets: as named in the paper, with names another target already says more precisely
--    dropped ("medial branch" and "lumbar medial branch" beside "lumbar medial branch nerve").
--  * outcome: measure + time point + effect, the way a review's table reads
--    ("NRS at 6 months: mean change -3.1; 62% responders (50% relief threshold)"). The
--    extractor gives no time point of its own yet, so the follow-up stands for it.
--  * links to PubMed, the DOI, PubMed Central / Europe PMC and the PDF.
CREATE OR REPLACE VIEW core.studies AS
WITH target_names AS (
    SELECT article_id, name, pos,
           regexp_replace(lower(trim(name)), '\s+nerves?$', '') AS stem
    FROM (SELECT article_id, unnest(targets) AS name, generate_subscripts(targets, 1) AS pos
          FROM core.evidence_current)
),
kept_targets AS (
    SELECT a.article_id, list(a.name ORDER BY a.pos) AS targets
    FROM target_names AS a
    WHERE NOT EXISTS (
        SELECT 1 FROM target_names AS b
        WHERE b.article_id = a.article_id AND b.pos <> a.pos
          AND ((b.stem <> a.stem AND (' ' || b.stem || ' ') LIKE ('% ' || a.stem || ' %'))
               OR (b.stem = a.stem AND (length(b.name) > length(a.name)
                                        OR (length(b.name) = length(a.name) AND b.pos < a.pos)))))
    GROUP BY a.article_id
),
shown AS (
    SELECT ec.*,
        concat_ws(' ', coalesce(ec.first_author, 'Anonymous'), ec.year::VARCHAR) AS study,
        CASE
            WHEN ec.design IN ('systematic_review', 'narrative_review') THEN 'review'
            WHEN ec.design = 'protocol'                                 THEN 'protocol'
            WHEN ec.design = 'technical_note'                           THEN 'technical note'
            ELSE 'primary study'
        END AS publication_kind,
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
        END AS design_rank,
        coalesce(kt.targets, []) AS targets_distinct,
        -- Follow-up in the unit a reader expects: 180 days reads "6 months", 84 days "12 weeks".
        CASE
            WHEN ec.follow_up_days IS NULL THEN NULL
            WHEN ec.follow_up_days >= 365 AND ec.follow_up_days % 365 = 0
                THEN (ec.follow_up_days // 365)::VARCHAR || CASE WHEN ec.follow_up_days = 365 THEN ' year' ELSE ' years' END
            WHEN ec.follow_up_days >= 30 AND ec.follow_up_days % 30 = 0
                THEN (ec.follow_up_days // 30)::VARCHAR || CASE WHEN ec.follow_up_days = 30 THEN ' month' ELSE ' months' END
            WHEN ec.follow_up_days >= 7 AND ec.follow_up_days % 7 = 0
                THEN (ec.follow_up_days // 7)::VARCHAR || CASE WHEN ec.follow_up_days = 7 THEN ' week' ELSE ' weeks' END
            ELSE ec.follow_up_days::VARCHAR || CASE WHEN ec.follow_up_days = 1 THEN ' day' ELSE ' days' END
        END AS follow_up_text,
        nullif(concat_ws('; ',
            CASE WHEN ec.mean_change IS NOT NULL THEN printf('mean change %+.3g', ec.mean_change) END,
            CASE WHEN ec.responder_pct IS NOT NULL THEN
                printf('%.4g%% responders', ec.responder_pct) ||
                CASE WHEN ec.responder_threshold_pct IS NOT NULL
                     THEN printf(' (%.4g%% relief threshold)', ec.responder_threshold_pct) ELSE '' END
            END), '') AS effect,
        a.pmcid,
        a.pdf_url
    FROM core.evidence_current AS ec
    JOIN core.articles_current AS a ON a.article_id = ec.article_id
    LEFT JOIN kept_targets AS kt ON kt.article_id = ec.article_id
)
SELECT *,
    CASE WHEN len(targets_distinct) > 0 THEN array_to_string(targets_distinct, '; ')
         ELSE 'not reported' END AS targets_text,
    CASE
        WHEN effect IS NULL AND outcome_direction IS NULL THEN 'not reported'
        ELSE coalesce(CASE WHEN outcome_scale IN ('nrs', 'vas', 'womac') THEN upper(outcome_scale) END,
                      'outcome')
             || coalesce(' at ' || follow_up_text, '') || ': '
             || coalesce(effect, replace(outcome_direction, '_', ' '))
    END AS outcome_summary,
    CASE WHEN pmid IS NOT NULL THEN 'https://pubmed.ncbi.nlm.nih.gov/' || pmid || '/' END AS pubmed_url,
    CASE WHEN doi IS NOT NULL THEN 'https://doi.org/' || doi END AS doi_url,
    CASE WHEN pmcid IS NOT NULL THEN 'https://pmc.ncbi.nlm.nih.gov/articles/' || pmcid || '/'
         WHEN preprint_id IS NOT NULL THEN 'https://europepmc.org/article/PPR/' || preprint_id END AS full_text_url
FROM shown;
