-- How many rows hold each value of each counted state column, kept by triggers the console
-- installs for every registered resource (`db/counts`), in the same transaction as every
-- write to the row: so the home page, the diagram and list totals read counts, not tables.
CREATE TABLE state_counts (
    table_name  TEXT    NOT NULL,
    column_name TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    count       INTEGER NOT NULL,
    PRIMARY KEY (table_name, column_name, value)
) WITHOUT ROWID;

-- The columns whose counts are kept: a column not listed here is counted with COUNT(*).
CREATE TABLE state_count_columns (
    table_name  TEXT NOT NULL,
    column_name TEXT NOT NULL,
    PRIMARY KEY (table_name, column_name)
) WITHOUT ROWID;
