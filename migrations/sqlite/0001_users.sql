-- Users, groups and permission grants (SQLite).
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    is_superuser  BOOLEAN NOT NULL DEFAULT FALSE,
    is_active     BOOLEAN NOT NULL DEFAULT TRUE,
    -- Demo users exist only in a demo database; while any exists the console says so.
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX users_demo ON users (is_demo) WHERE is_demo;

CREATE TABLE groups (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE user_groups (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, group_id)
);

-- Permission codes such as 'orders.view' or 'orders.pay', granted to a user or a group.
CREATE TABLE user_permissions (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code    TEXT    NOT NULL,
    PRIMARY KEY (user_id, code)
);

CREATE TABLE group_permissions (
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    code     TEXT    NOT NULL,
    PRIMARY KEY (group_id, code)
);
