-- Record who rolled the run back, when and why.
UPDATE runs
SET
    status = 'rolled_back',
    rolled_back_at = CAST($at AS TIMESTAMP),
    rolled_back_by = $operator,
    rollback_reason = $reason
WHERE run_id = $run_id;
