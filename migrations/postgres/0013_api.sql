-- The first answer to each API request sent with an `Idempotency-Key`, so that a retry gets
-- that answer instead of firing again. A key belongs to the user who sent it; `fingerprint`
-- is a SHA-256 of the method, path and body, so the same key on another request is refused.
-- `status` is 0 while the first request is still running. Rows older than a day are deleted.
CREATE TABLE api_idempotency (
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key         TEXT    NOT NULL,
    fingerprint BYTEA   NOT NULL,
    status      INTEGER NOT NULL DEFAULT 0,
    body        BYTEA,
    created_at  BIGINT  NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX api_idempotency_created ON api_idempotency (created_at);

-- A job started through the API runs on the engine's API channel: permissions apply, the
-- console's visibility does not (a hidden `hold` is fireable in bulk by whoever holds it).
ALTER TABLE bulk_jobs ADD COLUMN channel TEXT NOT NULL DEFAULT 'console'
    CHECK (channel IN ('console', 'api'));
