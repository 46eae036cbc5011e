-- Per practice, for events and medications: the first record's date (for the
-- index-date-before-the-data warning, sql/report/warnings_dates.sql) and how many
-- records are dated after the practice's extract date (kept, ignored by every rule,
-- reported). Kept in the run database so later stages need not scan the records
-- again (with --engine spark the records stay in Spark: pipeline/engines/spark/load.py
-- fills this table from Spark instead).
CREATE OR REPLACE TABLE record_dates AS
SELECT p.practice_code, 'events' AS table_name, min(e.event_date) AS first_record,
    count(e.patient_id) FILTER (WHERE e.event_date > p.extract_date) AS future_records
FROM practices AS p LEFT JOIN events AS e ON e.practice_code = p.practice_code
GROUP BY p.practice_code
UNION ALL
SELECT p.practice_code, 'medications', min(m.issue_date),
    count(m.patient_id) FILTER (WHERE m.issue_date > p.extract_date)
FROM practices AS p LEFT JOIN medications AS m ON m.practice_code = p.practice_code
GROUP BY p.practice_code;
