-- The workspace's live invitations for this study, copied into the run database
-- so the "already invited" rule reads exactly what the run saw. People on a GP
-- screening list not yet released count as invited: a later run must not list
-- them again while the GP decides (docs/invitations.md).
CREATE OR REPLACE TABLE prior_invitations AS
SELECT practice_code, patient_id, nhs_number, run_id, invite_ref
FROM ws.ledger
WHERE study = $study AND status IN ('active', 'awaiting_screening')
ORDER BY invite_ref;
