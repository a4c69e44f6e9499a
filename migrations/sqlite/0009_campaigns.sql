-- The second demo resource of SCENARIO.md (SQLite): two state fields on one row.
-- `review` is a key into `review_states`, whose rows hold what the console shows for each
-- review state; editing a row there changes the console.
CREATE TABLE review_states (
    name        TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
    label       TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    description TEXT NOT NULL DEFAULT ''
);
INSERT INTO review_states (name, label, description) VALUES
    ('pending', 'Pending review', 'Waiting for a reviewer'),
    ('approved', 'Approved', 'Accepted by a reviewer'),
    ('rejected', 'Rejected', 'Sent back by a reviewer, with a reason');

CREATE TABLE campaigns (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 30),
    jobs       INTEGER NOT NULL DEFAULT 0 CHECK (jobs >= 0),
    -- Only the state engine writes `step` (the stored value of the step machine's state)
    -- and `review`.
    step       INTEGER NOT NULL DEFAULT 1,
    review     TEXT    NOT NULL DEFAULT 'pending' REFERENCES review_states (name),
    -- One version for the row: a fire of either machine makes a page of the other stale.
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
-- The lists filtered by each state field, in key order.
CREATE INDEX campaigns_step_id ON campaigns (step, id);
CREATE INDEX campaigns_review_id ON campaigns (review, id);
