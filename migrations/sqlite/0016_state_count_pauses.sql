-- A state column whose counting trigger stands aside inside one transaction of the store's
-- writer: for a batch of state changes the writer adds the changes to `state_counts` itself,
-- a statement per state, instead of a trigger sub-program per row (`db/store/sqlite/counting.rs`).
-- A row is inserted and deleted inside that one transaction, so this table never holds a
-- committed row and no other connection ever sees one. The update triggers that read it are
-- installed again by the console at its next start (`db/counts`).
CREATE TABLE state_count_pauses (
    table_name  TEXT NOT NULL,
    column_name TEXT NOT NULL,
    PRIMARY KEY (table_name, column_name)
) WITHOUT ROWID;
