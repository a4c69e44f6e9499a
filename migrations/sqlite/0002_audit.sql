-- The transition audit log (SQLite): one row per attempt that reached a handler.
-- object_id is text so integer, UUID and text keys of any resource fit one table.
CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY,
    resource       TEXT    NOT NULL,
    object_id      TEXT    NOT NULL,
    transition     TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    -- The state stored by the attempt; NULL when it changed nothing.
    target         TEXT,
    -- No foreign key: history outlives the users who made it.
    actor_id       INTEGER,
    actor_username TEXT    NOT NULL,
    created_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    arguments      TEXT    NOT NULL DEFAULT 'null' CHECK (json_valid(arguments)),
    description    TEXT,
    outcome        TEXT    NOT NULL CHECK (outcome IN ('completed', 'failed')),
    error          TEXT,
    CHECK ((outcome = 'failed') = (error IS NOT NULL))
);
-- "Per object, newest first".
CREATE INDEX audit_log_object ON audit_log (resource, object_id, id DESC);
