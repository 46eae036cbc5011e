-- The codelists (name and version) a run loaded, for runs without a run record:
-- each codelist is then taken to play the role of the same name.
WITH
loaded AS (
    SELECT DISTINCT codelist, version FROM codelist_codes
),

final AS (
    SELECT * FROM loaded
)

SELECT * FROM final
ORDER BY codelist, version
