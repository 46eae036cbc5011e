-- Records dated after their practice's extract date: kept, ignored by every rule,
-- and reported per practice and table (counted in record_dates.sql).
SELECT practice_code, table_name, future_records AS n
FROM record_dates
ORDER BY 1, 2;
