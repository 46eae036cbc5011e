-- The invitations behind a list of references (an outcomes file being imported),
-- so every row can be checked before anything is recorded.
WITH
wanted AS (
    SELECT unnest(CAST($refs AS VARCHAR[])) AS invite_ref
),

invitation AS (
    SELECT l.invite_ref, l.study, l.run_id, l.practice_code, l.patient_id, l.nhs_number, l.status, l.created_at
    FROM ledger AS l
    INNER JOIN wanted AS w ON w.invite_ref = l.invite_ref
),

final AS (
    SELECT * FROM invitation
)

SELECT * FROM final
ORDER BY invite_ref
