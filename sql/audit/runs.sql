-- Every run that committed to this workspace, oldest first, with where its folder is:
-- the runs an explanation, a report or a verification has to look at.
WITH
runs_in_state AS (
    SELECT run_id, study, status, started_at, out_dir
    FROM runs
),

final AS (
    SELECT * FROM runs_in_state
)

SELECT * FROM final
ORDER BY started_at, run_id
