-- A bulk job's audit rows name their job instead of repeating its arguments and note, which
-- the job stores once. The index serves the resumed run's question "which of these rows did
-- this job already apply?" (one probe per row, whatever the size of the log).
ALTER TABLE audit_log ADD COLUMN job_id BIGINT;
CREATE INDEX audit_log_job ON audit_log (job_id, object_id) WHERE job_id IS NOT NULL;
