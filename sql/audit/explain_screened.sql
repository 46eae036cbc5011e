-- The earlier GP screening exclusions the run knew of for one patient (for this
-- study, as they stood when the run started): by practice and patient id, or by
-- NHS number.
WITH
patient AS (
    SELECT practice_code, patient_id, nhs_number
    FROM patients
    WHERE practice_code = $practice_code AND patient_id = $patient_id
),

matches AS (
    SELECT s.run_id, s.reason,
        CASE WHEN s.practice_code = p.practice_code AND s.patient_id = p.patient_id
            THEN 'practice and patient id' ELSE 'NHS number' END AS matched_by
    FROM screened_out AS s
    INNER JOIN patient AS p
        ON (s.practice_code = p.practice_code AND s.patient_id = p.patient_id)
        OR cf_nhs(s.nhs_number) = p.nhs_number
),

final AS (
    SELECT * FROM matches
)

SELECT * FROM final
ORDER BY run_id, reason
