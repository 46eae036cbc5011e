-- The coded records every rule looks at: each clinical event and prescription
-- issue whose code is in one of the study's codelists, tagged with the role that
-- codelist plays (its alias in the study file), dated on or before its practice's index date D. Records dated
-- after D (planned reviews, mistyped years) are left out here, so no rule sees them.
-- Codes match exactly: same coding system, same case (Read v2 'a' is not 'A').
CREATE OR REPLACE TEMP TABLE study_records AS
WITH
role_codes AS (
    -- Every concrete code (descendants already expanded) of each role's codelist.
    SELECT r.role, c.codelist, c.version, c.coding_system, c.code, c.term, c.category
    FROM study_roles AS r
    INNER JOIN codelist_codes AS c ON c.codelist = r.codelist AND c.version = r.version
),

coded AS (
    -- Clinical events and prescription issues side by side.
    SELECT practice_code, patient_id, event_date AS record_date, coding_system, code, 'event' AS source, value
    FROM events
    UNION ALL
    SELECT practice_code, patient_id, issue_date AS record_date, coding_system, code, 'issue' AS source,
        NULL::DOUBLE AS value
    FROM medications
),

final AS (
    SELECT
        rec.practice_code,
        rec.patient_id,
        rc.role,
        rec.record_date,
        rp.index_date,
        date_diff('day', rec.record_date, rp.index_date) AS days_before,
        rec.source,
        rec.coding_system,
        rec.code,
        rc.term,
        rc.codelist,
        rc.version,
        rc.category,
        rec.value
    FROM coded AS rec
    INNER JOIN run_practices AS rp ON rp.practice_code = rec.practice_code
    INNER JOIN role_codes AS rc ON rc.coding_system = rec.coding_system AND rc.code = rec.code
    WHERE rec.record_date <= rp.index_date
)

SELECT * FROM final
