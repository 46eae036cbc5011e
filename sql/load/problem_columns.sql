-- While loading, each extract table carries load_problems: what is wrong with a row
-- (NULL when nothing is). The loader drops it once the rows are checked.
ALTER TABLE patients ADD COLUMN load_problems VARCHAR;
ALTER TABLE events ADD COLUMN load_problems VARCHAR;
ALTER TABLE medications ADD COLUMN load_problems VARCHAR;
