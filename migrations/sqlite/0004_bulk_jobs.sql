-- Bulk transitions run as durable jobs (SQLite): the job, and the snapshot of its rows in
-- order, each with its outcome once processed (NULL while pending).
CREATE TABLE bulk_jobs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    resource         TEXT    NOT NULL,
    transition       TEXT    NOT NULL,
    label            TEXT    NOT NULL,
    mode             TEXT    NOT NULL CHECK (mode IN ('best_effort', 'all_or_nothing')),
    arguments        TEXT    NOT NULL DEFAULT 'null' CHECK (json_valid(arguments)),
    description      TEXT,
    actor_id         INTEGER NOT NULL,
    actor_username   TEXT    NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'running', 'done', 'cancelled', 'failed')),
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    -- The run holding the job, renewed every batch; another run may take it over once the
    -- heartbeat is older than the lease (its server died).
    runner           TEXT,
    heartbeat_at     TEXT,
    total            INTEGER NOT NULL,
    applied          INTEGER NOT NULL DEFAULT 0,
    skipped          INTEGER NOT NULL DEFAULT 0,
    failed           INTEGER NOT NULL DEFAULT 0,
    error            TEXT,
    created_at       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    started_at       TEXT,
    finished_at      TEXT
);
CREATE INDEX bulk_jobs_status ON bulk_jobs (status);

CREATE TABLE bulk_job_items (
    job_id    INTEGER NOT NULL REFERENCES bulk_jobs (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    object_id TEXT    NOT NULL,
    outcome   TEXT    CHECK (outcome IN ('applied', 'skipped', 'failed', 'not_applied')),
    reason    TEXT,
    PRIMARY KEY (job_id, position)
);
-- The runner reads the next pending rows and the report reads the rows that did not move:
-- both through partial indexes, so neither scans the rows a large job has already done.
CREATE INDEX bulk_job_items_pending ON bulk_job_items (job_id, position) WHERE outcome IS NULL;
CREATE INDEX bulk_job_items_unmoved ON bulk_job_items (job_id, position)
    WHERE outcome IN ('skipped', 'failed', 'not_applied');
