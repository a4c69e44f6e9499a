-- Ending every session of a user (SQLite). A session remembers the epoch its user had at
-- login; changing the password adds one, so every older session no longer matches.
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
