-- Records dated after their practice's extract date: kept, ignored by every rule,
-- and reported per practice and table.
SELECT p.practice_code, 'events' AS table_name, count(e.patient_id) AS n
FROM practices p LEFT JOIN events e
    ON e.practice_code = p.practice_code AND e.event_date > p.extract_date
GROUP BY p.practice_code
UNION ALL
SELECT p.practice_code, 'medications', count(m.patient_id)
FROM practices p LEFT JOIN medications m
    ON m.practice_code = p.practice_code AND m.issue_date > p.extract_date
GROUP BY p.practice_code
ORDER BY 1, 2;
