-- Records dated after the run's --index-date (but not after the extract date):
-- every rule ignores them, as it ignores records after the extract date.
WITH
after_index AS (
    SELECT e.practice_code, 'events' AS table_name
    FROM events AS e
    INNER JOIN practices AS p USING (practice_code)
    WHERE e.event_date > CAST($index_date AS DATE) AND e.event_date <= p.extract_date
    UNION ALL
    SELECT m.practice_code, 'medications' AS table_name
    FROM medications AS m
    INNER JOIN practices AS p USING (practice_code)
    WHERE m.issue_date > CAST($index_date AS DATE) AND m.issue_date <= p.extract_date
),

final AS (
    SELECT practice_code, table_name, count(*) AS n
    FROM after_index
    GROUP BY practice_code, table_name
)

SELECT * FROM final
ORDER BY practice_code, table_name
