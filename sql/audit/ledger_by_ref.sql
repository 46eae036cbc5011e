-- The invitation a reference on a letter stands for: which run invited whom.
-- Outcomes and do-not-contact entries are tied to people through this row.
WITH
invitation AS (
    SELECT invite_ref, study, run_id, practice_code, patient_id, nhs_number, status, created_at
    FROM ledger
    WHERE invite_ref = $invite_ref
),

final AS (
    SELECT * FROM invitation
)

SELECT * FROM final
