-- "Which targets have >= 6-month follow-up and > 50 % responders?": the relevant studies that
-- meet the rule reviews use for a positive outcome at 6 months.
--
--  * follow-up of at least 180 days: six months, as the extractor normalises months to 30 days;
--  * a responder definition of at least 50 % relief: the extractor stores the number of
--    ">50% relief" (and of "at least 50%") as responder_threshold_pct = 50, so >= 50 on the
--    stored threshold is exactly "a > 50 % relief definition"; a 30 % definition is weaker
--    and does not count;
--  * more than half of the patients responded (responder_pct > 50).
-- A study with no threshold stated is left out: "62 % improved" without a definition is not
-- the same claim. One row per study, with its target groups as a list; to answer per target:
--   SELECT target_group, count(*) FROM (SELECT unnest(target_groups) AS target_group
--   FROM marts.long_follow_up_responders) GROUP BY 1     (DuckDB 1.x cannot GROUP BY an unnest)
-- Primary studies only: a review quoting a cited study's responder rate is not a second study.
-- Built on core.studies (core.evidence_current): a curated follow-up moves a study in or out.
CREATE OR REPLACE VIEW marts.long_follow_up_responders AS
SELECT
    ec.study,
    ec.target_groups,
    ec.targets_text                             AS targets,
    coalesce(ec.design, 'not reported')         AS design,
    ec.sample_size                              AS patients,
    ec.follow_up_days,
    ec.responder_pct,
    ec.responder_threshold_pct,
    ec.outcome_summary                          AS outcome,
    ec.outcome_text,
    ec.indication,
    ec.article_id,
    ec.pmid,
    ec.doi,
    ec.pubmed_url,
    ec.doi_url,
    ec.year,
    ec.curated_fields
FROM core.studies AS ec
WHERE ec.relevant AND ec.publication_kind = 'primary study'
  AND ec.follow_up_days >= 180
  AND ec.responder_threshold_pct >= 50
  AND ec.responder_pct > 50
ORDER BY ec.responder_pct DESC, ec.follow_up_days DESC, ec.article_id;
