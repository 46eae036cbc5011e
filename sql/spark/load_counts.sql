-- Per practice and table, in Spark (Spark SQL): rows loaded, the first record's date
-- and how many records are dated after the practice's extract date (the DuckDB
-- loader's sql/load/row_counts.sql and record_dates.sql). practices is the run's
-- practices table pushed up from DuckDB.
SELECT p.practice_code, 'patients' AS table_name, count(x.practice_code) AS n,
    CAST(NULL AS DATE) AS first_record, CAST(0 AS BIGINT) AS future_records
FROM practices AS p LEFT JOIN patients AS x ON x.practice_code = p.practice_code
GROUP BY p.practice_code
UNION ALL
SELECT p.practice_code, 'events', count(e.practice_code), min(e.event_date),
    count(e.practice_code) FILTER (WHERE e.event_date > p.extract_date)
FROM practices AS p LEFT JOIN events AS e ON e.practice_code = p.practice_code
GROUP BY p.practice_code
UNION ALL
SELECT p.practice_code, 'medications', count(m.practice_code), min(m.issue_date),
    count(m.practice_code) FILTER (WHERE m.issue_date > p.extract_date)
FROM practices AS p LEFT JOIN medications AS m ON m.practice_code = p.practice_code
GROUP BY p.practice_code
