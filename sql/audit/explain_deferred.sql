-- Whether the run's capacity held one patient back, with their score and rank
-- (the study would have invited them; their practice had had its share of letters in this run).
WITH
held AS (
    -- every column: runs before ranking by score stored no score or capacity
    SELECT *
    FROM deferred
    WHERE practice_code = $practice_code AND patient_id = $patient_id
),

final AS (
    SELECT * FROM held
)

SELECT * FROM final
