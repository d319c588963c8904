-- Every harvest window (a night, or one slice of a backfill) that was loaded, so the watermark
-- can move over loaded windows only while they join up: a slice loaded before the one ahead of
-- it (Airflow runs slices side by side; one may fail) waits here until the gap is filled.
CREATE TABLE ops.loaded_windows (
    source          VARCHAR NOT NULL,
    query_hash      VARCHAR NOT NULL,
    window_start    DATE NOT NULL,
    window_end      DATE NOT NULL,
    run_id          VARCHAR NOT NULL,
    counted         INTEGER,
    loaded_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, query_hash, window_start, window_end)
);
