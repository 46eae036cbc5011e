-- Every coded record of one patient whose code is in one of the run's codelists,
-- tagged with the role that codelist played in the rules ($roles, $codelists and
-- $versions are parallel lists from the run record), with how many days before
-- the index date D it was recorded (negative: after D, ignored by every rule).
WITH
roles AS (
    SELECT
        unnest(CAST($roles AS VARCHAR[])) AS role,
        unnest(CAST($codelists AS VARCHAR[])) AS codelist,
        unnest(CAST($versions AS VARCHAR[])) AS version
),

role_codes AS (
    SELECT r.role, c.codelist, c.version, c.coding_system, c.code, c.term, c.category
    FROM roles AS r
    INNER JOIN codelist_codes AS c ON c.codelist = r.codelist AND c.version = r.version
),

coded AS (
    SELECT event_date AS record_date, coding_system, code, 'event' AS source
    FROM events
    WHERE practice_code = $practice_code AND patient_id = $patient_id
    UNION ALL
    SELECT issue_date AS record_date, coding_system, code, 'issue' AS source
    FROM medications
    WHERE practice_code = $practice_code AND patient_id = $patient_id
),

final AS (
    SELECT
        rc.role,
        rec.record_date,
        date_diff('day', rec.record_date, CAST($index_date AS DATE)) AS days_before,
        rec.source,
        rec.coding_system,
        rec.code,
        rc.term,
        rc.codelist,
        rc.version,
        rc.category
    FROM coded AS rec
    INNER JOIN role_codes AS rc ON rc.coding_system = rec.coding_system AND rc.code = rec.code
)

SELECT * FROM final
ORDER BY role, record_date, coding_system, code
