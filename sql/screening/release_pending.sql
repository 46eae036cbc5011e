-- Releases a crash interrupted after their ledger commit: their letters may still
-- be in the staging folder (Workspace recovery finishes the move).
SELECT run_id, study, out_dir, release_stage
FROM runs
WHERE screening = 'released' AND release_stage IS NOT NULL
ORDER BY run_id;
