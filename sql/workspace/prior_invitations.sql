-- The workspace's live invitations for this study, copied into the run database
-- so the "already invited" rule reads exactly what the run saw.
CREATE OR REPLACE TABLE prior_invitations AS
SELECT practice_code, patient_id, nhs_number, run_id, invite_ref
FROM ws.ledger
WHERE study = $study AND status = 'active'
ORDER BY invite_ref;
