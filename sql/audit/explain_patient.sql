-- The patient's record as the run loaded it (for the practice's answer), with
-- their practice's name and the index date D the run judged them at.
WITH
patient AS (
    SELECT *
    FROM patients
    WHERE practice_code = $practice_code AND patient_id = $patient_id
),

final AS (
    SELECT
        p.*,
        pr.practice_name,
        pr.extract_date,
        rp.index_date
    FROM patient AS p
    LEFT JOIN practices AS pr ON pr.practice_code = p.practice_code
    LEFT JOIN run_practices AS rp ON rp.practice_code = p.practice_code
)

SELECT * FROM final
