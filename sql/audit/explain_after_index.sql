-- How many of one patient's coded records (codes in the run's codelists) are dated
-- after the index date D: every rule ignored them, and explain says so.
WITH
coded AS (
    SELECT event_date AS record_date, coding_system, code FROM events
    WHERE practice_code = $practice_code AND patient_id = $patient_id
    UNION ALL
    SELECT issue_date, coding_system, code FROM medications
    WHERE practice_code = $practice_code AND patient_id = $patient_id
),

final AS (
    SELECT count(*) AS n
    FROM coded AS c
    WHERE c.record_date > CAST($index_date AS DATE)
        AND EXISTS (
            SELECT 1 FROM codelist_codes AS k WHERE k.coding_system = c.coding_system AND k.code = c.code
        )
)

SELECT n FROM final
