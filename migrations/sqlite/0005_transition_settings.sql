-- Console settings of transitions, set from the browser (SQLite). One row per transition that
-- has an override; no row means the code decides. Every server reads it on each request, so
-- a change applies at once everywhere.
CREATE TABLE transition_settings (
    resource   TEXT    NOT NULL,
    transition TEXT    NOT NULL,
    -- NULL: the code decides (hook, flag, global default).
    visibility TEXT    CHECK (visibility IN ('shown', 'hidden', 'groups')),
    -- The groups that see it when visibility is 'groups'.
    groups     TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(groups) AND json_type(groups) = 'array'),
    -- NULL: the label and help text the code declares.
    label      TEXT    CHECK (length(label) BETWEEN 1 AND 100),
    help_text  TEXT    CHECK (length(help_text) <= 500),
    -- Bumped by every change, so a page saved over someone else's change is refused.
    revision   INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (resource, transition),
    CHECK ((visibility = 'groups') = (groups <> '[]'))
);

-- Who changed which setting when, with the setting before and after (JSON, null for none).
CREATE TABLE transition_setting_changes (
    id             INTEGER PRIMARY KEY,
    resource       TEXT    NOT NULL,
    transition     TEXT    NOT NULL,
    -- No foreign key: the record outlives the users who made it.
    actor_id       INTEGER,
    actor_username TEXT    NOT NULL,
    changed_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    before         TEXT    NOT NULL CHECK (json_valid(before)),
    after          TEXT    NOT NULL CHECK (json_valid(after)),
    -- The change this one undid, if it is a revert.
    reverts        INTEGER REFERENCES transition_setting_changes (id)
);
CREATE INDEX transition_setting_changes_resource ON transition_setting_changes (resource, id DESC);
