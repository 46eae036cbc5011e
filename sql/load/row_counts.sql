-- Rows loaded per practice and table (every practice, 0 when its file had none).
SELECT p.practice_code, t.table_name, coalesce(n.n, 0) AS n
FROM practices AS p
CROSS JOIN (VALUES ('patients'), ('events'), ('medications')) AS t (table_name)
LEFT JOIN (
    SELECT practice_code, 'patients' AS table_name, count(*) AS n FROM patients GROUP BY ALL
    UNION ALL
    SELECT practice_code, 'events', count(*) FROM events GROUP BY ALL
    UNION ALL
    SELECT practice_code, 'medications', count(*) FROM medications GROUP BY ALL
) AS n USING (practice_code, table_name);
