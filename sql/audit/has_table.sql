-- Whether a run database has a table: runs made by an older version of the tool
-- may lack a table a newer one keeps, and the audit commands then say so.
WITH
tables_found AS (
    SELECT table_name
    FROM information_schema.tables
    WHERE table_name = $table_name
      AND table_schema = $schema
      AND ($catalog IS NULL OR table_catalog = $catalog)
),

final AS (
    SELECT count(*) > 0 AS found FROM tables_found
)

SELECT found FROM final
