-- Every record accounted for: what the source counted for the window (loaded + quarantined must
-- equal it), and what the run has to tell operators besides its status (e.g. a server asked to
-- wait longer than the cap on a single wait, and was waited on for the cap only).
ALTER TABLE ops.runs ADD COLUMN counted INTEGER;
ALTER TABLE ops.runs ADD COLUMN notes VARCHAR;
