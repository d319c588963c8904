-- Full texts from every open-access source (PMC / Europe PMC JATS, and PDFs), where each
-- extracted value was read, and what the full text changed.

-- core.pdf_documents holds every parsed full-text document, PDF or JATS.
ALTER TABLE core.pdf_documents ADD COLUMN format VARCHAR DEFAULT 'pdf';   -- pdf | jats
ALTER TABLE core.pdf_documents ADD COLUMN licence VARCHAR;                -- as the source states it

-- Where each evidence item was read: the abstract, a section and paragraph of the full text,
-- or a table's row and column. Same key as core.evidence.
CREATE TABLE core.evidence_locations (
    article_id        VARCHAR NOT NULL,
    article_version   INTEGER NOT NULL,
    extractor_version VARCHAR NOT NULL,
    field             VARCHAR NOT NULL,
    ordinal           INTEGER NOT NULL,
    source            VARCHAR NOT NULL,   -- abstract | full_text | table
    section           VARCHAR,
    paragraph         INTEGER,            -- 1-based, JATS only
    table_label       VARCHAR,
    table_row         INTEGER,            -- 1-based body row
    table_column      VARCHAR,            -- the column's header
    page              INTEGER,            -- PDFs: the section's or table's first page
    PRIMARY KEY (article_id, article_version, extractor_version, field, ordinal)
);

-- Both readings of each core field for a record extracted with its full text. Rule for the
-- value shown (core.extractions, hence the evidence table): the full text's value when it has
-- one, else the abstract's -- except design, where the abstract's wins a disagreement (a full
-- text also describes the studies it cites); `disagree` marks fields where both have a value
-- and they differ, for lists where the full text lacks an item of the abstract's (the
-- extraction's flags carry the same for curators). See pipeline/fulltext_values.py.
CREATE TABLE core.extraction_sources (
    article_id        VARCHAR NOT NULL,
    article_version   INTEGER NOT NULL,
    extractor_version VARCHAR NOT NULL,
    field             VARCHAR NOT NULL,
    abstract_value    JSON,
    full_text_value   JSON,
    shown             VARCHAR NOT NULL,   -- abstract | full_text
    disagree          BOOLEAN NOT NULL,
    document_sha256   VARCHAR,
    PRIMARY KEY (article_id, article_version, extractor_version, field)
);

-- The full-text state of every work that has one to look for, and when to look again:
-- read; not_open_access (closed today, looked at again weekly, since texts open later);
-- retry (a transient failure, tried again the next night, up to a limit); failed (permanent,
-- quarantined with the reason).
CREATE TABLE ops.fulltext_status (
    article_id     VARCHAR PRIMARY KEY,
    source         VARCHAR NOT NULL,
    source_id      VARCHAR NOT NULL,
    status         VARCHAR NOT NULL,
    format         VARCHAR,
    url            VARCHAR,
    reason         VARCHAR,
    attempts       INTEGER NOT NULL,
    last_tried_at  TIMESTAMPTZ NOT NULL,
    next_try_at    TIMESTAMPTZ,           -- NULL: not tried again
    run_id         VARCHAR NOT NULL
);

CREATE VIEW core.fulltext_disagreements AS
SELECT s.article_id, s.article_version, s.extractor_version, s.field, s.abstract_value,
       s.full_text_value, s.shown
FROM core.extraction_sources s
JOIN core.extractions_latest e ON e.article_id = s.article_id
                              AND e.article_version = s.article_version
                              AND e.extractor_version = s.extractor_version
WHERE s.disagree;
