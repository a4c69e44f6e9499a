-- Personal API tokens: a token acts as its user through `/api/v1`. Only a SHA-256 of the
-- secret is kept (the secret is 256 random bits, so a fast hash is enough); times are Unix
-- seconds on both backends, so expiry compares the same way.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    secret_hash  BLOB    NOT NULL UNIQUE,
    -- The secret's first characters, so a person can tell their tokens apart.
    prefix       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
