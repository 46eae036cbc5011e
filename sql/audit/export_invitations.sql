-- Every letter one run sent (or that was withdrawn by a rollback), with what the
-- run found: age, the chronic-pain routes that held, and the employment status
-- it saw, dated as days before the index date. Identifiers are replaced by keyed
-- pseudonyms before anything is written.
WITH
letters AS (
    SELECT invite_ref, run_id, study, practice_code, patient_id, status
    FROM ledger
    WHERE run_id = $run_id
),

final AS (
    SELECT
        l.invite_ref, l.run_id, l.study, l.practice_code, l.patient_id, l.status,
        p.index_date, p.age, p.c1, p.c2, p.c3, p.employment_category,
        date_diff('day', p.employment_date, p.index_date) AS employment_days_before_index
    FROM letters AS l
    LEFT JOIN (
        -- InStep's routes and employment status; NULL for a study without them.
        SELECT * FROM audit_run.population
        UNION ALL BY NAME
        SELECT NULL::BOOLEAN AS c1, NULL::BOOLEAN AS c2, NULL::BOOLEAN AS c3,
            NULL::VARCHAR AS employment_category, NULL::DATE AS employment_date
        WHERE false
    ) AS p ON p.practice_code = l.practice_code AND p.patient_id = l.patient_id
)

SELECT * FROM final
ORDER BY invite_ref
