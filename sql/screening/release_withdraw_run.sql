-- ... and the run is awaiting its release again, listing everyone it listed.
UPDATE runs
SET
    screening = 'awaiting',
    released_at = NULL,
    released_by = NULL,
    release_stage = NULL,
    invitations = (SELECT count(*) FROM ledger WHERE run_id = $run_id)
WHERE run_id = $run_id;
