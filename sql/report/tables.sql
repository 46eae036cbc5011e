-- Which run tables exist, so the report can describe a run that stopped part-way
-- (a run that failed extract validation has no population or attrition yet).
WITH
final AS (
    SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'
)

SELECT table_name FROM final
ORDER BY table_name
