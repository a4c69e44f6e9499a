-- A row may carry several state fields, each driven by its own machine: an audit row of a
-- transition names the field it moved. Edits, creations and deletions concern the whole row
-- and leave it NULL.
ALTER TABLE audit_log ADD COLUMN field TEXT;
UPDATE audit_log SET field = 'state' WHERE transition NOT LIKE '(%';
