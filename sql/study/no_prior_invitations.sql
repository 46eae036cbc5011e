-- An empty ledger of earlier invitations, for study runs outside a workspace
-- (`cohort impact`): the comparison is about codelists, not who was written to before.
CREATE OR REPLACE TABLE prior_invitations (
    practice_code VARCHAR, patient_id VARCHAR, nhs_number VARCHAR, run_id VARCHAR, invite_ref VARCHAR
);
