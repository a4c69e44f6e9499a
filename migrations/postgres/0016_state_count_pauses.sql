-- SQLite's writer stands a column's row trigger aside while it counts a batch itself
-- (`migrations/sqlite/0016_state_count_pauses.sql`). PostgreSQL's counting triggers run once
-- per statement over its transition tables, so they have nothing to gain: the table is kept
-- only so that both backends hold the same schema, and it stays empty.
CREATE TABLE state_count_pauses (
    table_name  TEXT NOT NULL,
    column_name TEXT NOT NULL,
    PRIMARY KEY (table_name, column_name)
);
