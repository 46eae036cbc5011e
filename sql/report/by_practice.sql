-- How many rows of a per-patient output table (invitations, deferred) belong to
-- each practice. $table is chosen by the caller from a fixed list.
WITH
final AS (
    SELECT practice_code, count(*) AS n
    FROM query_table($table)
    GROUP BY practice_code
)

SELECT * FROM final
ORDER BY practice_code
