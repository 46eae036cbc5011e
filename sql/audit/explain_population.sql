-- The study's verdict on one patient: every rule's flag and the first rule that
-- stopped them (NULL when invited), exactly as the run stored it.
WITH
verdict AS (
    SELECT *
    FROM population
    WHERE practice_code = $practice_code AND patient_id = $patient_id
),

final AS (
    SELECT * FROM verdict
)

SELECT * FROM final
