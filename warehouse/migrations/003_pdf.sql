-- Full texts: the PDFs that preprints and open-access records link to, parsed into sections,
-- tables and, for reviews, the rows of their "characteristics of included studies" tables.
CREATE TABLE core.pdf_documents (
    article_id       VARCHAR NOT NULL,
    article_version  INTEGER NOT NULL,
    pdf_url          VARCHAR NOT NULL,
    pdf_sha256       VARCHAR NOT NULL,
    pages            INTEGER,
    sections         JSON NOT NULL,       -- [{name, text, page_start}]
    references_list  JSON NOT NULL,       -- [{number, text, doi, first_author, year}]
    run_id           VARCHAR NOT NULL,
    parsed_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (article_id, article_version, pdf_sha256)
);

CREATE TABLE core.pdf_tables (
    article_id       VARCHAR NOT NULL,
    article_version  INTEGER NOT NULL,
    pdf_sha256       VARCHAR NOT NULL,
    table_index      INTEGER NOT NULL,
    page             INTEGER,
    bbox             DOUBLE[],
    caption          VARCHAR,
    header           VARCHAR[],
    rows             JSON NOT NULL,       -- list of rows, each a list of cell texts
    PRIMARY KEY (article_id, article_version, pdf_sha256, table_index)
);

-- One row per study a review's evidence table describes, normalised like our own extractions
-- and linked to the cited work (by DOI) when the warehouse holds it.
CREATE TABLE core.evidence_rows (
    article_id       VARCHAR NOT NULL,    -- the review whose table this row is from
    article_version  INTEGER NOT NULL,
    pdf_sha256       VARCHAR NOT NULL,
    row_index        INTEGER NOT NULL,
    ref              INTEGER,
    author           VARCHAR,
    year             INTEGER,
    design           VARCHAR,
    sample_size      INTEGER,
    targets          VARCHAR[],
    target_groups    VARCHAR[],
    guidance         VARCHAR[],
    follow_up_days   INTEGER,
    outcome_text     VARCHAR,
    doi              VARCHAR,
    PRIMARY KEY (article_id, article_version, pdf_sha256, row_index)
);

-- Where a review's table and our extraction of the cited study disagree on a field: a curator
-- should look at one of the two.
CREATE VIEW core.evidence_row_disagreements AS
WITH cited AS (
    SELECT r.*, c.article_id AS cited_article_id
    FROM core.evidence_rows r
    JOIN core.articles_current c ON lower(c.doi) = lower(r.doi)
    JOIN core.articles_current reviewing ON reviewing.article_id = r.article_id
                                        AND reviewing.version = r.article_version
)
SELECT cited.article_id AS review_id, cited.ref, cited.cited_article_id, f.field,
       f.table_value, f.extracted_value
FROM cited
JOIN core.evidence_current e ON e.article_id = cited.cited_article_id
CROSS JOIN LATERAL (VALUES
    ('design', cited.design, e.design),
    ('sample_size', cited.sample_size::VARCHAR, e.sample_size::VARCHAR),
    ('follow_up_days', cited.follow_up_days::VARCHAR, e.follow_up_days::VARCHAR)
) AS f(field, table_value, extracted_value)
WHERE f.table_value IS NOT NULL AND f.extracted_value IS NOT NULL
  AND f.table_value <> f.extracted_value;
