-- The run to release: its study, status, folder and screening state, how many of
-- its people wait for screening and how many of those have a GP decision.
WITH run AS (
    SELECT run_id, study, status, screening, out_dir, released_at
    FROM runs
    WHERE run_id = $run_id
),

waiting AS (
    SELECT
        count(*) AS listed,
        count(d.screening_ref) AS decided
    FROM ledger AS l
    LEFT JOIN screening_decisions AS d ON d.run_id = l.run_id AND d.screening_ref = l.invite_ref
    WHERE l.run_id = $run_id AND l.status = 'awaiting_screening'
),

final AS (
    SELECT run.*, waiting.listed, waiting.decided
    FROM run, waiting
)

SELECT * FROM final;
