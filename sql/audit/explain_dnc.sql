-- The do-not-contact entries the run knew of for one patient (the list as it
-- stood when the run started): by practice and patient id, or by NHS number.
WITH
patient AS (
    SELECT practice_code, patient_id, nhs_number
    FROM patients
    WHERE practice_code = $practice_code AND patient_id = $patient_id
),

matches AS (
    SELECT d.reason,
        CASE WHEN d.practice_code = p.practice_code AND d.patient_id = p.patient_id
            THEN 'practice and patient id' ELSE 'NHS number' END AS matched_by
    FROM do_not_contact AS d
    INNER JOIN patient AS p
        ON (d.practice_code = p.practice_code AND d.patient_id = p.patient_id)
        OR cf_nhs(d.nhs_number) = p.nhs_number
),

final AS (
    SELECT * FROM matches
)

SELECT * FROM final
ORDER BY reason
