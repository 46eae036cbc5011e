-- The letters of a run whose database is no longer there: counted, with the
-- chronic-pain routes unknown.
INSERT INTO yield_invites
WITH
sent AS (
    SELECT invite_ref, run_id, study, practice_code
    FROM ledger
    WHERE run_id = $run_id AND status = 'active'
),

final AS (
    SELECT invite_ref, run_id, study, practice_code, NULL AS c1, NULL AS c2, NULL AS c3
    FROM sent
)

SELECT * FROM final
ORDER BY invite_ref
