-- For each practice, the dates a data manager should be warned about: its
-- extract date, the index date a run uses ($index_date, or the extract date),
-- and the date of its first record (the earliest event or prescription issue,
-- from record_dates: sql/load/record_dates.sql).
-- pipeline/report/warnings.py turns these into a stale-extract warning (letters
-- dated well after the extract) and an index-date-before-the-data warning.
WITH first_record AS (
    SELECT practice_code, min(first_record) AS first_record
    FROM record_dates
    GROUP BY practice_code
),

final AS (
    SELECT
        p.practice_code,
        p.extract_date,
        coalesce(CAST($index_date AS DATE), p.extract_date) AS index_date,
        f.first_record
    FROM practices AS p
    LEFT JOIN first_record AS f USING (practice_code)
)

SELECT * FROM final
ORDER BY practice_code;
