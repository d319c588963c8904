-- A curator can point at the words that support a value (a span of title + "\n" + abstract,
-- selected in the UI): kept with the override as {"text", "start", "end"}.
ALTER TABLE core.curation ADD COLUMN evidence JSON;

-- Undo: core.curation stays append-only, so undoing a curator's last action appends a row.
-- When the undone row replaced an earlier override, the undo row repeats that override; when
-- it replaced none, the undo row has action 'undo' and means "no override in force": the
-- extractor's value is back.
CREATE OR REPLACE VIEW core.curation_in_force AS
SELECT * FROM (
    SELECT * FROM core.curation
    QUALIFY row_number() OVER (PARTITION BY article_id, field ORDER BY curated_at DESC, curation_id DESC) = 1
)
WHERE action <> 'undo';
