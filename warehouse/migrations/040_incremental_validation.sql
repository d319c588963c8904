-- Incremental validation (pipeline/validate/changes.py): what each suite last validated, so a
-- night re-checks only the rows that are new or changed since, and when a suite needs a full
-- pass again (its file, frame SQL or run-time parameters changed: a new suite_hash).

-- Per suite and record, the fingerprint (hash of the frame row and its curator actions) that
-- was last validated. Written in the same transaction as the flags it led to.
CREATE TABLE ops.validated_rows (
    suite       VARCHAR NOT NULL,
    record_key  VARCHAR NOT NULL,
    row_hash    UBIGINT NOT NULL,
    run_id      VARCHAR NOT NULL,
    PRIMARY KEY (suite, record_key, row_hash)
);

-- The suite version the ledger above belongs to; a different hash means a full pass.
CREATE TABLE ops.validation_state (
    suite          VARCHAR PRIMARY KEY,
    suite_hash     VARCHAR NOT NULL,
    full_run_id    VARCHAR NOT NULL,      -- the last full pass
    last_run_id    VARCHAR NOT NULL,
    validated_at   TIMESTAMPTZ NOT NULL
);

-- How each validation run went about it: 'full' or 'incremental', under which suite version,
-- and how many rows the table-level SQL checks covered (`evaluated` counts the rows the
-- row-level expectations saw).
ALTER TABLE ops.validation_runs ADD COLUMN mode VARCHAR;
ALTER TABLE ops.validation_runs ADD COLUMN suite_hash VARCHAR;
ALTER TABLE ops.validation_runs ADD COLUMN table_rows BIGINT;
