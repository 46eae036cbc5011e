-- Withdraw a run whose letters were never sent: its invitations (and people
-- still waiting for GP screening) stay in the ledger, marked rolled back, so
-- those patients are invitable again. People a GP screened out stay so.
UPDATE ledger
SET status = 'rolled_back'
WHERE run_id = $run_id AND status IN ('active', 'awaiting_screening')
RETURNING invite_ref, practice_code;
