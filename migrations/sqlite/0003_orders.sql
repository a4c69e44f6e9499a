-- The demo resource of SCENARIO.md (SQLite). Only the state engine writes `state`.
CREATE TABLE orders (
    id               INTEGER PRIMARY KEY,
    customer         TEXT    NOT NULL CHECK (length(customer) BETWEEN 1 AND 100),
    -- Money as integer cents, never a float.
    amount_cents     INTEGER NOT NULL CHECK (amount_cents >= 0),
    tracking_number  TEXT    NOT NULL DEFAULT '' CHECK (length(tracking_number) <= 64),
    -- Read by `resume` to compute its target.
    payment_recorded BOOLEAN NOT NULL DEFAULT FALSE,
    state            TEXT    NOT NULL DEFAULT 'new',
    -- Version::FIRST is 1: a fresh row has been written once.
    version          INTEGER NOT NULL DEFAULT 1,
    updated_at       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
-- Serves `WHERE state = ? ORDER BY id` (the list filtered by state) without a sort.
CREATE INDEX orders_state_id ON orders (state, id);
