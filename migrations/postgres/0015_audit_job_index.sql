-- A job's audit rows are found by the job alone. The index keyed (job_id, object_id) made
-- every audit row of a bulk job compare object ids as text to find its place; keyed by the
-- job only, a batch's rows are appended in order. Since a batch is recorded on its job in the
-- same transaction as its fires, the only reader is a resumed run's one look, on its first
-- batch, for rows a server from before that change applied without recording them.
DROP INDEX audit_log_job;
CREATE INDEX audit_log_job ON audit_log (job_id) WHERE job_id IS NOT NULL;
