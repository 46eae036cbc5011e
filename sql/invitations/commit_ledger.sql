-- Every invitation of the run enters the ledger as active (or, when a GP screens
-- the run first, awaiting_screening), so no later run of the study invites or
-- lists the same person again until this run is rolled back.
INSERT INTO ledger (invite_ref, study, run_id, practice_code, patient_id, nhs_number, created_at, status)
WITH final AS (
    SELECT
        invite_ref,
        study,
        run_id,
        practice_code,
        patient_id,
        nhs_number,
        CAST($committed_at AS TIMESTAMP) AS created_at,
        CAST($status AS VARCHAR) AS status
    FROM rundb.invitations
)

SELECT * FROM final
ORDER BY invite_ref;
