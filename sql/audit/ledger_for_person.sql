-- Every invitation this workspace ever made to one person: by practice and
-- patient id, or by NHS number at any practice (rolled-back ones included, marked).
WITH
matches AS (
    SELECT invite_ref, study, run_id, practice_code, patient_id, nhs_number, status, created_at
    FROM ledger
    WHERE (practice_code = $practice_code AND patient_id = $patient_id)
       OR (nhs_number IS NOT NULL AND nhs_number = $nhs_number)
),

final AS (
    SELECT * FROM matches
)

SELECT * FROM final
ORDER BY created_at, invite_ref
