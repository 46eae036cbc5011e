-- Withdraw a run whose letters were never sent: its invitations stay in the
-- ledger, marked rolled back, so those patients are invitable again.
UPDATE ledger
SET status = 'rolled_back'
WHERE run_id = $run_id AND status = 'active'
RETURNING invite_ref, practice_code;
