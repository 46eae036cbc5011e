-- Which patients of a run's extract a question is about: by practice and patient
-- id, or by NHS number at any practice (one person may be registered at two).
WITH
found AS (
    SELECT practice_code, patient_id
    FROM patients
    WHERE (practice_code = $practice_code AND patient_id = $patient_id)
       OR (nhs_number IS NOT NULL AND nhs_number = $nhs_number)
),

final AS (
    SELECT * FROM found
)

SELECT * FROM final
ORDER BY practice_code, patient_id
