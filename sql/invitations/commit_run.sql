-- The run, committed: its letters are in the ledger and its folder is about to
-- be moved into place (Workspace.recover finishes the move after a crash).
INSERT INTO runs (
    run_id, study, status, started_at, committed_at, out_dir, stage_dir, invitations, screening, screening_reason
)
SELECT
    $run_id,
    $study,
    'committed',
    CAST($started_at AS TIMESTAMP),
    CAST($committed_at AS TIMESTAMP),
    $out_dir,
    $stage_dir,
    (SELECT count(*) FROM rundb.invitations),
    $screening,
    $screening_reason;
