-- The tables a database holds (main schema of the named catalog): runs made by an
-- older version of the tool may lack a table a newer one keeps.
WITH
found AS (
    SELECT table_name
    FROM duckdb_tables()
    WHERE schema_name = 'main' AND database_name = $catalog
),

final AS (
    SELECT * FROM found
)

SELECT table_name FROM final
ORDER BY table_name
