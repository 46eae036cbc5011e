-- The run is released: who released it, when, where its letters were built
-- (cleared once they are in the run folder) and how many letters it has now.
UPDATE runs
SET
    screening = 'released',
    released_at = CAST($at AS TIMESTAMP),
    released_by = $operator,
    release_stage = $stage,
    invitations = (SELECT count(*) FROM ledger WHERE run_id = $run_id AND status = 'active')
WHERE run_id = $run_id;
