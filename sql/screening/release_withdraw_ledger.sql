-- A release whose letters could not be put in the run folder is undone (the commit
-- point's withdrawal, pipeline/journal.py): its people wait for GP screening again.
UPDATE ledger
SET status = 'awaiting_screening'
WHERE run_id = $run_id AND status IN ('active', 'screened_out')
RETURNING invite_ref;
