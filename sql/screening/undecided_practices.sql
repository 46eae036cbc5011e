-- Practices of a screening run with people the GP has not decided on yet, and how many.
SELECT l.practice_code, count(*) AS undecided
FROM ledger AS l
LEFT JOIN screening_decisions AS d ON d.run_id = l.run_id AND d.screening_ref = l.invite_ref
WHERE l.run_id = $run_id AND l.status = 'awaiting_screening' AND d.screening_ref IS NULL
GROUP BY l.practice_code
ORDER BY l.practice_code;
