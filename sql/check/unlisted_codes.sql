-- The most frequent codes in the extracts that are in no codelist of the study:
-- where to look for a local or newer code a codelist may be missing. Records
-- dated after the extract date are left out, as every rule leaves them out.
WITH
records AS (
    SELECT e.practice_code, e.patient_id, 'events' AS table_name, e.coding_system, e.code
    FROM events AS e
    INNER JOIN practices AS p USING (practice_code)
    WHERE e.event_date <= p.extract_date
    UNION ALL
    SELECT m.practice_code, m.patient_id, 'medications' AS table_name, m.coding_system, m.code
    FROM medications AS m
    INNER JOIN practices AS p USING (practice_code)
    WHERE m.issue_date <= p.extract_date
),

unlisted AS (
    SELECT r.*
    FROM records AS r
    ANTI JOIN codelist_codes AS c ON c.coding_system = r.coding_system AND c.code = r.code
),

final AS (
    SELECT
        table_name,
        coding_system,
        code,
        count(*) AS records,
        count(DISTINCT (practice_code, patient_id)) AS patients,
        count(DISTINCT practice_code) AS practices
    FROM unlisted
    GROUP BY table_name, coding_system, code
)

SELECT * FROM final
ORDER BY records DESC, coding_system, code
LIMIT $limit
