-- Does a table (or view) called $table_name exist? The run's events and
-- medications may be absent (a codelist-only run, a test).
SELECT count(*) > 0 AS present
FROM information_schema.tables
WHERE table_name = $table_name;
