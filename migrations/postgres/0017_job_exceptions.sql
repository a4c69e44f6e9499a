-- A job's snapshot and the outcomes of its rows that did not move, apart
-- (`migrations/sqlite/0017_job_exceptions.sql`): the snapshot, written a row per key, carries
-- no nullable outcome columns, CHECK or partial index, and the report lists every row of the
-- exceptions' own table.
CREATE TABLE bulk_job_exceptions (
    job_id   BIGINT NOT NULL REFERENCES bulk_jobs (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    outcome  TEXT   NOT NULL CHECK (outcome IN ('skipped', 'failed', 'not_applied')),
    reason   TEXT,
    PRIMARY KEY (job_id, position)
);
-- An `applied` outcome stored by a server from before 0014 lies at or before the job's
-- `done_through`, which implies it.
INSERT INTO bulk_job_exceptions (job_id, position, outcome, reason)
    SELECT job_id, position, outcome, reason FROM bulk_job_items
    WHERE outcome IN ('skipped', 'failed', 'not_applied');
DROP INDEX bulk_job_items_unmoved;
ALTER TABLE bulk_job_items DROP COLUMN outcome, DROP COLUMN reason;
