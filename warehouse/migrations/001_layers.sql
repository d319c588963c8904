-- Layers, dbt-style: raw (as received) -> core (one row per work and version) -> marts (views).
-- ops holds the bookkeeping of runs: watermarks, quarantine, row flags, validation results.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS ops;
CREATE SCHEMA IF NOT EXISTS marts;

-- The exact XML element or JSON object a source returned. A record seen again unchanged is not
-- stored twice: (source, source_id, content_hash) is the identity of a received payload.
CREATE TABLE raw.records (
    source        VARCHAR NOT NULL,
    source_id     VARCHAR NOT NULL,
    content_hash  VARCHAR NOT NULL,
    content_type  VARCHAR NOT NULL,
    payload       VARCHAR NOT NULL,
    fetched_at    TIMESTAMPTZ NOT NULL,
    run_id        VARCHAR NOT NULL,
    PRIMARY KEY (source, source_id, content_hash)
);

-- One row per work and version. A work is found again by PMID, DOI or preprint id; when what it
-- says changes (a corrected abstract), it gets a new version and the old one stops being current.
CREATE TABLE core.articles (
    article_id        VARCHAR NOT NULL,
    version           INTEGER NOT NULL,
    is_current        BOOLEAN NOT NULL,
    source            VARCHAR NOT NULL,
    source_id         VARCHAR NOT NULL,
    pmid              VARCHAR,
    doi               VARCHAR,
    preprint_id       VARCHAR,
    pmcid             VARCHAR,
    title             VARCHAR,
    abstract          VARCHAR,
    journal           VARCHAR,
    year              INTEGER,
    language          VARCHAR,
    first_author      VARCHAR,
    authors           VARCHAR[],
    publication_types VARCHAR[],
    mesh_terms        VARCHAR[],
    abstract_sections JSON,
    entrez_date       DATE,
    pdf_url           VARCHAR,
    article_hash      VARCHAR NOT NULL,
    raw_hash          VARCHAR NOT NULL,
    run_id            VARCHAR NOT NULL,
    loaded_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (article_id, version)
);

-- One row per article version and extractor version: re-extraction adds rows, never rewrites.
CREATE TABLE core.extractions (
    article_id              VARCHAR NOT NULL,
    article_version         INTEGER NOT NULL,
    extractor_version       VARCHAR NOT NULL,
    relevant                BOOLEAN,
    design                  VARCHAR,
    sample_size             INTEGER,
    targets                 VARCHAR[],
    target_groups           VARCHAR[],
    guidance                VARCHAR[],
    follow_up_days          INTEGER,
    outcome_text            VARCHAR,
    responder_pct           DOUBLE,
    responder_threshold_pct DOUBLE,
    mean_change             DOUBLE,
    outcome_scale           VARCHAR,
    outcome_direction       VARCHAR,
    indication              VARCHAR,
    adverse_events          VARCHAR,
    flags                   JSON,
    run_id                  VARCHAR NOT NULL,
    extracted_at            TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (article_id, article_version, extractor_version)
);

-- Where each extracted value came from: the text, its offsets in title + "\n" + abstract,
-- the rule that fired and its confidence.
CREATE TABLE core.evidence (
    article_id        VARCHAR NOT NULL,
    article_version   INTEGER NOT NULL,
    extractor_version VARCHAR NOT NULL,
    field             VARCHAR NOT NULL,
    ordinal           INTEGER NOT NULL,
    text              VARCHAR NOT NULL,
    start_offset      INTEGER NOT NULL,
    end_offset        INTEGER NOT NULL,
    rule              VARCHAR NOT NULL,
    confidence        DOUBLE NOT NULL,
    PRIMARY KEY (article_id, article_version, extractor_version, field, ordinal)
);

CREATE TABLE ops.runs (
    run_id        VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    query         VARCHAR,
    window_start  DATE,
    window_end    DATE,
    started_at    TIMESTAMPTZ,
    finished_at   TIMESTAMPTZ,
    status        VARCHAR NOT NULL,   -- running | succeeded | failed
    fetched       INTEGER NOT NULL DEFAULT 0,
    new           INTEGER NOT NULL DEFAULT 0,
    changed       INTEGER NOT NULL DEFAULT 0,
    unchanged     INTEGER NOT NULL DEFAULT 0,
    quarantined   INTEGER NOT NULL DEFAULT 0,
    error         VARCHAR,
    PRIMARY KEY (run_id, source)
);

-- The last entrez day fully loaded, per source and query: the next nightly run starts after it.
CREATE TABLE ops.watermarks (
    source          VARCHAR NOT NULL,
    query_hash      VARCHAR NOT NULL,
    query           VARCHAR NOT NULL,
    loaded_through  DATE NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, query_hash)
);

-- What a stage could not accept, with the reason and the payload, so nothing is lost.
CREATE TABLE ops.quarantine (
    quarantine_id VARCHAR PRIMARY KEY,   -- hash of stage, reason and payload: idempotent
    run_id        VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    stage         VARCHAR NOT NULL,
    source_id     VARCHAR,
    reason        VARCHAR NOT NULL,
    payload       VARCHAR NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);

-- Rows that failed a row-level expectation: flagged for curators, never silently dropped.
CREATE TABLE ops.flags (
    flag_id      VARCHAR PRIMARY KEY,    -- hash of suite, expectation, table, record, column
    run_id       VARCHAR NOT NULL,
    suite        VARCHAR NOT NULL,
    expectation  VARCHAR NOT NULL,
    table_name   VARCHAR NOT NULL,
    record_id    VARCHAR NOT NULL,
    column_name  VARCHAR,
    reason       VARCHAR NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE ops.validation_runs (
    run_id        VARCHAR NOT NULL,
    suite         VARCHAR NOT NULL,
    success       BOOLEAN NOT NULL,
    evaluated     INTEGER NOT NULL,
    failed        INTEGER NOT NULL,
    table_failures VARCHAR[],
    ran_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (run_id, suite)
);

CREATE VIEW core.articles_current AS
SELECT * FROM core.articles WHERE is_current;

-- The newest extractor's output for each current article version.
CREATE VIEW core.extractions_latest AS
SELECT e.*
FROM core.extractions e
JOIN core.articles_current a ON a.article_id = e.article_id AND a.version = e.article_version
QUALIFY row_number() OVER (PARTITION BY e.article_id
                           ORDER BY e.extracted_at DESC, e.extractor_version DESC) = 1;
