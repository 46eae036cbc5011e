-- The run to roll back, and how many of its invitations already have an
-- outcome recorded (a reply or a refusal means its letters were sent).
WITH run AS (
    SELECT run_id, study, status, out_dir, rolled_back_at
    FROM runs
    WHERE run_id = $run_id
),

answered AS (
    SELECT count(DISTINCT o.invite_ref) AS n
    FROM outcomes AS o
    INNER JOIN ledger AS l USING (invite_ref)
    WHERE l.run_id = $run_id
),

final AS (
    SELECT run.*, (SELECT n FROM answered) AS answered
    FROM run
)

SELECT * FROM final;
