-- Ending every session of a user (PostgreSQL). A session remembers the epoch its user had
-- at login; changing the password adds one, so every older session no longer matches.
ALTER TABLE users ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;
