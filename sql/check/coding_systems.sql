-- Which coding systems each practice's events and prescriptions use: a study
-- whose codelists lack a system the practice records in finds nobody there.
WITH
records AS (
    SELECT practice_code, 'events' AS table_name, coding_system, code FROM events
    UNION ALL
    SELECT practice_code, 'medications' AS table_name, coding_system, code FROM medications
),

final AS (
    SELECT practice_code, table_name, coding_system, count(*) AS records, count(DISTINCT code) AS codes
    FROM records
    GROUP BY practice_code, table_name, coding_system
)

SELECT * FROM final
ORDER BY practice_code, table_name, coding_system
