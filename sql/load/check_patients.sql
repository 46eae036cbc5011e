-- Structural problems in one staged patients file. One row per kind of problem:
-- how many rows have it and the first few row numbers ($first_row is the first
-- data row: 2 in a CSV, whose row 1 is the header; 1 in a Parquet file).
-- Problems with one patient's contact details are not here: they go to quarantine.
WITH rows AS (
    SELECT rowid + $first_row AS line, * FROM stage
),
problems AS (
    SELECT 'blank_patient_id' AS problem, line FROM rows WHERE patient_id IS NULL
    UNION ALL
    SELECT 'duplicate_patient_id', line FROM rows
        WHERE patient_id IS NOT NULL
        QUALIFY count(*) OVER (PARTITION BY patient_id) > 1
    UNION ALL
    SELECT 'bad_date:date_of_birth', line FROM rows WHERE date_of_birth IS NULL
    UNION ALL
    SELECT 'bad_date:registration_date', line FROM rows WHERE registration_date IS NULL
    UNION ALL
    SELECT 'bad_date:deregistration_date', line FROM rows WHERE bad_deregistration_date
    UNION ALL
    SELECT 'bad_date:date_of_death', line FROM rows WHERE bad_date_of_death
    UNION ALL
    SELECT 'bad_sex', line FROM rows WHERE sex IS NULL OR sex NOT IN ('M', 'F', 'I', 'U')
)
SELECT problem, count(*) AS n, list(line ORDER BY line)[1:5] AS lines
FROM problems
GROUP BY problem
ORDER BY min(line), problem;
