-- "What does the evidence say?": the Table 1 of a review, one row per relevant primary study.
--
-- Built on core.studies (core.evidence_current, never raw extractions), so a curator's
-- correction is what the analyst sees (and keeps seeing after re-extraction). Only relevant
-- primary studies: a review's Table 1 lists included studies, `relevant` is the pipeline's
-- inclusion decision, and reviews, protocols and technical notes are in
-- marts.reviews_and_protocols (they enrol no patients of their own).
-- Columns come in the order a Table 1 reads (study, design, patients, targets, guidance,
-- follow-up, outcome, indication, adverse events), then links, then the raw values so analysts
-- can filter and sort without re-parsing the display strings.
CREATE OR REPLACE VIEW marts.evidence_table AS
SELECT
    -- "Smith 2024": how a review cites a study; the id keeps two Smiths of 2024 apart.
    study,
    first_author,
    year,
    coalesce(design, 'not reported')                                   AS design,
    sample_size                                                        AS patients,
    -- Targets as named in the paper, without names a more precise one repeats; the canonical
    -- groups (target_groups) are what maps and filters use.
    targets_text                                                       AS targets,
    CASE WHEN len(coalesce(guidance, [])) > 0 THEN array_to_string(guidance, ', ')
         ELSE 'not reported' END                                       AS guidance,
    coalesce(follow_up_text, 'not reported')                           AS follow_up,
    -- Measure at time point: effect. The source sentence stays in outcome_text.
    outcome_summary                                                    AS outcome,
    coalesce(indication, 'not reported')                               AS indication,
    coalesce(adverse_events, 'not reported')                           AS adverse_events,
    pubmed_url,
    doi_url,
    full_text_url,
    pdf_url,
    article_id,
    pmid,
    doi,
    preprint_id,
    title,
    journal,
    targets                                                            AS targets_as_named,
    target_groups,
    guidance                                                           AS guidance_list,
    follow_up_days,
    responder_pct,
    responder_threshold_pct,
    mean_change,
    outcome_scale,
    outcome_direction,
    outcome_text,
    design_rank,
    -- Which values a curator set, and whether an override predates the current record.
    curated_fields,
    stale_override
FROM core.studies
WHERE relevant AND publication_kind = 'primary study'
ORDER BY design_rank, year DESC NULLS LAST, first_author, article_id;
