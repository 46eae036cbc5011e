-- Whether the run's capacity limit held one patient back (the study would have
-- invited them; their practice had had its share of letters in this run).
WITH
held AS (
    SELECT practice_code, patient_id, capacity_rank, reason
    FROM deferred
    WHERE practice_code = $practice_code AND patient_id = $patient_id
),

final AS (
    SELECT * FROM held
)

SELECT * FROM final
