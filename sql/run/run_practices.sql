-- The index date D of each practice: the run's --index-date when given,
-- otherwise the practice's extract date. Every rule is evaluated at D.
CREATE OR REPLACE TABLE run_practices AS
SELECT practice_code, coalesce(CAST($index_date AS DATE), extract_date) AS index_date
FROM practices
ORDER BY practice_code;
