-- Patients held back by a practice's capacity limit, in the order they would
-- be invited next (by id only).
WITH final AS (
    SELECT practice_code, patient_id, score, capacity_rank, strongest_route, routes_held, reason
    FROM deferred
)

SELECT * FROM final
ORDER BY practice_code, capacity_rank;
