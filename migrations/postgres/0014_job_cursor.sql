-- A bulk job records how far its run has got (`done_through`, the last position processed)
-- in the same transaction as each batch's fires, and an outcome only for the rows that did not
-- move: a processed row without an outcome was applied. A batch then writes one job row plus
-- its exceptions instead of one item row per object.
ALTER TABLE bulk_jobs ADD COLUMN done_through BIGINT NOT NULL DEFAULT -1;
-- Jobs stored before recorded every outcome, in order: their processed rows are a prefix.
UPDATE bulk_jobs SET done_through = COALESCE(
    (SELECT MAX(position) FROM bulk_job_items AS i
     WHERE i.job_id = bulk_jobs.id AND i.outcome IS NOT NULL), -1);
-- The run walks positions after `done_through` by primary key.
DROP INDEX bulk_job_items_pending;
