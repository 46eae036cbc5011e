-- The coded records every rule looks at: each clinical event and prescription
-- issue whose code is in one of the study's codelists, tagged with the role that
-- codelist plays (its alias in the study file), dated on or before its practice's index date D. Records dated
-- after D (planned reviews, mistyped years) are left out here, so no rule sees them,
-- and so are records older than any rule of the study (or its evidence) reads from
-- that codelist (study_roles.lookback_days: a 365-day rule needs no record of 2019).
-- Codes match exactly: same coding system, same case (Read v2 'a' is not 'A').
-- The code join comes first (it keeps a few percent of the rows), inside each
-- source, so the practice join and the table only see the study's records; the
-- codelist name, version and term are not copied onto every record: the evidence
-- looks them up in study_codes (codes.sql) by code_id.
CREATE OR REPLACE TEMP TABLE study_records AS
WITH
coded AS (
    -- Clinical events and prescription issues in the study's codelists, side by side.
    SELECT e.practice_code, e.patient_id, e.event_date AS record_date, 'event' AS source, e.value,
        rc.code_id, rc.role, rc.category, rc.lookback_days
    FROM events AS e
    INNER JOIN study_codes AS rc ON rc.coding_system = e.coding_system AND rc.code = e.code
    UNION ALL
    SELECT m.practice_code, m.patient_id, m.issue_date AS record_date, 'issue' AS source,
        NULL::DOUBLE AS value, rc.code_id, rc.role, rc.category, rc.lookback_days
    FROM medications AS m
    INNER JOIN study_codes AS rc ON rc.coding_system = m.coding_system AND rc.code = m.code
),

final AS (
    SELECT
        rec.practice_code,
        rec.patient_id,
        rec.role,
        rec.record_date,
        date_diff('day', rec.record_date, rp.index_date) AS days_before,
        rec.source,
        rec.category,
        rec.value,
        rec.code_id
    FROM coded AS rec
    INNER JOIN run_practices AS rp ON rp.practice_code = rec.practice_code
    WHERE rec.record_date <= rp.index_date
        AND (rec.lookback_days IS NULL OR date_diff('day', rec.record_date, rp.index_date) <= rec.lookback_days)
)

SELECT * FROM final
