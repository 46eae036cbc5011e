-- The run's letter to one patient, if it wrote one: the reference on the letter
-- and the chronic-pain routes that held.
WITH
letter AS (
    -- every column: runs before ranking by score stored no score, rank or capacity
    SELECT *
    FROM invitations
    WHERE practice_code = $practice_code AND patient_id = $patient_id
),

final AS (
    SELECT * FROM letter
)

SELECT * FROM final
