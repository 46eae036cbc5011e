-- Earlier invitations to this study the run knew of for one patient (the
-- "already invited" rule): by practice and patient id, or by NHS number.
WITH
patient AS (
    SELECT practice_code, patient_id, nhs_number
    FROM patients
    WHERE practice_code = $practice_code AND patient_id = $patient_id
),

matches AS (
    SELECT i.run_id, i.invite_ref,
        CASE WHEN i.practice_code = p.practice_code AND i.patient_id = p.patient_id
            THEN 'practice and patient id' ELSE 'NHS number' END AS matched_by
    FROM prior_invitations AS i
    INNER JOIN patient AS p
        ON (i.practice_code = p.practice_code AND i.patient_id = p.patient_id)
        OR cf_nhs(i.nhs_number) = p.nhs_number
),

final AS (
    SELECT * FROM matches
)

SELECT * FROM final
ORDER BY run_id, invite_ref
