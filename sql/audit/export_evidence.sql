-- The coded evidence behind each letter of one run (the records behind each
-- criterion of the study: InStep's routes, employment status, exclusion records),
-- dated as days before the index date. Ledger and do-not-contact matches are left out: they carry
-- invitation references, not clinical evidence.
WITH
letters AS (
    SELECT invite_ref, practice_code, patient_id
    FROM ledger
    WHERE run_id = $run_id
),

final AS (
    SELECT
        l.invite_ref, l.practice_code, l.patient_id, e.rule,
        date_diff('day', e.record_date, p.index_date) AS days_before_index,
        e.coding_system, e.code, e.term, e.codelist, e.version, e.category, e.in_window
    FROM letters AS l
    INNER JOIN audit_run.evidence AS e ON e.practice_code = l.practice_code AND e.patient_id = l.patient_id
    INNER JOIN audit_run.population AS p ON p.practice_code = l.practice_code AND p.patient_id = l.patient_id
    WHERE e.codelist IS NOT NULL
)

SELECT * FROM final
ORDER BY invite_ref, rule, days_before_index DESC, coding_system, code
