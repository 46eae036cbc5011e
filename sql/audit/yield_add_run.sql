-- The letters one run sent (live in the ledger: not rolled back), with the
-- chronic-pain routes that held for each patient in that run.
INSERT INTO yield_invites
WITH
sent AS (
    SELECT invite_ref, run_id, study, practice_code, patient_id
    FROM ledger
    WHERE run_id = $run_id AND status = 'active'
),

final AS (
    SELECT s.invite_ref, s.run_id, s.study, s.practice_code, p.c1, p.c2, p.c3
    FROM sent AS s
    LEFT JOIN (
        -- InStep's chronic-pain routes; NULL for a study without them.
        SELECT * FROM audit_run.population
        UNION ALL BY NAME
        SELECT NULL::BOOLEAN AS c1, NULL::BOOLEAN AS c2, NULL::BOOLEAN AS c3 WHERE false
    ) AS p ON p.practice_code = s.practice_code AND p.patient_id = s.patient_id
)

SELECT * FROM final
ORDER BY invite_ref
