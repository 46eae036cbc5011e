-- The GP decisions of one run, by reference (what `cohort release` acts on).
SELECT screening_ref, practice_code, decision, reason
FROM screening_decisions
WHERE run_id = $run_id
ORDER BY practice_code, screening_ref;
