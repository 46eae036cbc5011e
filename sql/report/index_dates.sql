-- The index date each practice's rules were evaluated at.
WITH
final AS (
    SELECT practice_code, index_date FROM run_practices
)

SELECT * FROM final
ORDER BY practice_code
