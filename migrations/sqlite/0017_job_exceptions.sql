-- A job's snapshot and the outcomes of its rows that did not move, apart. The snapshot is
-- written a row per key, a million at a time: with the outcome columns, their CHECK and the
-- partial index of unmoved rows on the same table, storing a million keys took 2.5 s; alone,
-- 0.8 s. The unmoved rows, few, get a table of their own, every row of which the report lists.
CREATE TABLE bulk_job_exceptions (
    job_id   INTEGER NOT NULL REFERENCES bulk_jobs (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    outcome  TEXT    NOT NULL CHECK (outcome IN ('skipped', 'failed', 'not_applied')),
    reason   TEXT,
    PRIMARY KEY (job_id, position)
) WITHOUT ROWID;
-- An `applied` outcome stored by a server from before 0014 lies at or before the job's
-- `done_through`, which implies it.
INSERT INTO bulk_job_exceptions (job_id, position, outcome, reason)
    SELECT job_id, position, outcome, reason FROM bulk_job_items
    WHERE outcome IN ('skipped', 'failed', 'not_applied');

CREATE TABLE bulk_job_keys (
    job_id    INTEGER NOT NULL REFERENCES bulk_jobs (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    object_id TEXT    NOT NULL,
    PRIMARY KEY (job_id, position)
) WITHOUT ROWID;
INSERT INTO bulk_job_keys (job_id, position, object_id)
    SELECT job_id, position, object_id FROM bulk_job_items;
DROP TABLE bulk_job_items;
ALTER TABLE bulk_job_keys RENAME TO bulk_job_items;
