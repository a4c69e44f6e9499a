-- How many rows hold each value of each counted state column, kept by triggers the console
-- installs for every registered resource (`db/counts`), in the same transaction as every
-- write to the row: so the home page, the diagram and list totals read counts, not tables.
--
-- On PostgreSQL the triggers append deltas instead of updating `state_counts`: concurrent
-- fires would otherwise queue on the few hot counter rows until each commits, and could
-- deadlock across statements. A count is its row plus its deltas; a compaction folds the
-- deltas in now and then.
CREATE TABLE state_counts (
    table_name  TEXT   NOT NULL,
    column_name TEXT   NOT NULL,
    value       TEXT   NOT NULL,
    count       BIGINT NOT NULL,
    PRIMARY KEY (table_name, column_name, value)
);

CREATE TABLE state_count_deltas (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_name  TEXT   NOT NULL,
    column_name TEXT   NOT NULL,
    value       TEXT   NOT NULL,
    delta       BIGINT NOT NULL
);
CREATE INDEX state_count_deltas_column ON state_count_deltas (table_name, column_name);

-- The columns whose counts are kept: a column not listed here is counted with COUNT(*).
CREATE TABLE state_count_columns (
    table_name  TEXT NOT NULL,
    column_name TEXT NOT NULL,
    PRIMARY KEY (table_name, column_name)
);
