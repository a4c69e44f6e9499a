-- The first answer to each API request sent with an `Idempotency-Key`, so that a retry gets
-- that answer instead of firing again. A key belongs to the user who sent it; `fingerprint`
-- is a SHA-256 of the method, path and body, so the same key on another request is refused.
-- `status` is 0 while the first request is still running. Rows older than a day are deleted.
CREATE TABLE api_idempotency (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key         TEXT    NOT NULL,
    fingerprint BLOB    NOT NULL,
    status      INTEGER NOT NULL DEFAULT 0,
    body        BLOB,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX api_idempotency_created ON api_idempotency (created_at);

-- A job started through the API runs on the engine's API channel: permissions apply, the
-- console's visibility does not (a hidden `hold` is fireable in bulk by whoever holds it).
ALTER TABLE bulk_jobs ADD COLUMN channel TEXT NOT NULL DEFAULT 'console'
    CHECK (channel IN ('console', 'api'));
