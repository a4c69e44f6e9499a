-- A bulk job records how far its run has got (`done_through`, the last position processed)
-- in the same transaction as each batch's fires, and an outcome only for the rows that did not
-- move: a processed row without an outcome was applied. A batch then writes one job row plus
-- its exceptions instead of one item row per object.
ALTER TABLE bulk_jobs ADD COLUMN done_through INTEGER NOT NULL DEFAULT -1;
-- Jobs stored before recorded every outcome, in order: their processed rows are a prefix.
UPDATE bulk_jobs SET done_through = COALESCE(
    (SELECT MAX(position) FROM bulk_job_items AS i
     WHERE i.job_id = bulk_jobs.id AND i.outcome IS NOT NULL), -1);

-- The snapshot without a rowid: one B-tree keyed by (job, position) instead of a table plus
-- its primary-key index, and no partial index of pending rows (the run walks positions after
-- `done_through` by primary key), so a snapshot of a million keys writes one tree.
CREATE TABLE bulk_job_items_by_position (
    job_id    INTEGER NOT NULL REFERENCES bulk_jobs (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    object_id TEXT    NOT NULL,
    outcome   TEXT    CHECK (outcome IN ('applied', 'skipped', 'failed', 'not_applied')),
    reason    TEXT,
    PRIMARY KEY (job_id, position)
) WITHOUT ROWID;
INSERT INTO bulk_job_items_by_position (job_id, position, object_id, outcome, reason)
    SELECT job_id, position, object_id, outcome, reason FROM bulk_job_items;
DROP TABLE bulk_job_items;
ALTER TABLE bulk_job_items_by_position RENAME TO bulk_job_items;
CREATE INDEX bulk_job_items_unmoved ON bulk_job_items (job_id, position)
    WHERE outcome IN ('skipped', 'failed', 'not_applied');
