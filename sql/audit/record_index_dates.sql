-- The index date D each practice was judged at, for the run record: every rule
-- of the run is evaluated at its practice's D.
WITH
dates AS (
    SELECT practice_code, index_date
    FROM run_practices
),

final AS (
    SELECT * FROM dates
)

SELECT * FROM final
ORDER BY practice_code
