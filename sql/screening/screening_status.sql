-- The screening state of one run and one patient's GP decision in it (explain).
SELECT
    r.screening, r.screening_reason, r.released_at, r.released_by,
    d.decision, d.reason, d.decided_at, d.imported_by
FROM runs AS r
LEFT JOIN screening_decisions AS d
    ON d.run_id = r.run_id AND d.practice_code = $practice_code AND d.patient_id = $patient_id
WHERE r.run_id = $run_id;
