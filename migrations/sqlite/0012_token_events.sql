-- Who created or revoked each API token, and when: written in the same transaction as the
-- change, so a token never exists or ends without its event. `actor_username` is the
-- owner's username in the console, or `command line` for `switchyard token …` (usernames
-- have no spaces, so the two cannot be confused). Times are Unix seconds, as in api_tokens.
CREATE TABLE api_token_events (
    id             INTEGER PRIMARY KEY,
    token_id       INTEGER NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    -- The token's owner, whoever acted; the tokens page reads a user's events by it.
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    actor_username TEXT    NOT NULL,
    action         TEXT    NOT NULL CHECK (action IN ('created', 'revoked')),
    at             INTEGER NOT NULL
);
CREATE INDEX api_token_events_user ON api_token_events (user_id, id);
