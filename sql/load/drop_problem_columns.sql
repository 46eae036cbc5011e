-- The rows are checked: the extract tables take their contract shape (tables.sql).
ALTER TABLE patients DROP COLUMN load_problems;
ALTER TABLE events DROP COLUMN load_problems;
ALTER TABLE medications DROP COLUMN load_problems;
