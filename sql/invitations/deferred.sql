-- Patients the study would invite but their practice's capacity held back in
-- this run: recorded, with their score and place in the queue, so they are not
-- forgotten (they stay invitable in later runs).
CREATE OR REPLACE TABLE deferred AS
WITH held_back AS (
    SELECT *
    FROM invitation_candidates
    WHERE NOT selected
),

final AS (
    SELECT
        CAST($run_id AS VARCHAR) AS run_id,
        CAST($study AS VARCHAR) AS study,
        h.practice_code,
        h.patient_id,
        p.nhs_number,
        h.routes_held,
        h.strongest_route,
        h.score,
        h.tie_break,
        h.capacity_rank,
        h.practice_candidates,
        h.capacity,
        'ranked ' || CAST(h.capacity_rank AS VARCHAR) || ' of ' || CAST(h.practice_candidates AS VARCHAR)
        || ' at the practice, over its capacity of ' || CAST(h.capacity AS VARCHAR) || ' invitations per run' AS reason
    FROM held_back AS h
    INNER JOIN patients AS p USING (practice_code, patient_id)
)

SELECT * FROM final
ORDER BY practice_code, capacity_rank;
