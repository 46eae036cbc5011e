-- The letters still live in the ledger (not rolled back), for the demo to give
-- synthetic answers to.
WITH
live AS (
    SELECT invite_ref, practice_code, patient_id
    FROM ledger
    WHERE status = 'active'
),

final AS (
    SELECT * FROM live
)

SELECT * FROM final
ORDER BY invite_ref
