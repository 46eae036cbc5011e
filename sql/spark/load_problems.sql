-- Structural problems in the extract tables loaded into Spark (Spark SQL; the DuckDB
-- loader's sql/load/problems.sql): per table, practice and kind of problem, how many
-- rows and the first five row offsets within the practice's file. _row is the row's
-- position in its file (CSV: read whole by one task, so positions are consecutive;
-- Parquet: Spark's row_index); the loader adds the file's first row number.
WITH flagged AS (
    SELECT 'patients' AS table_name, practice_code, _row AS r, problem
    FROM patients__loaded LATERAL VIEW explode(split(load_problems, ',')) AS problem
    WHERE load_problems IS NOT NULL
    UNION ALL
    SELECT 'events', practice_code, _row, problem
    FROM events__loaded LATERAL VIEW explode(split(load_problems, ',')) AS problem
    WHERE load_problems IS NOT NULL
    UNION ALL
    SELECT 'medications', practice_code, _row, problem
    FROM medications__loaded LATERAL VIEW explode(split(load_problems, ',')) AS problem
    WHERE load_problems IS NOT NULL
    UNION ALL
    SELECT 'patients', practice_code, _row, 'duplicate_patient_id'
    FROM (
        SELECT practice_code, _row, count(*) OVER (PARTITION BY practice_code, patient_id) AS k
        FROM patients__loaded WHERE patient_id IS NOT NULL
    ) WHERE k > 1
    UNION ALL
    SELECT 'events', e.practice_code, e._row, 'unknown_patient_id'
    FROM events__loaded AS e
    LEFT ANTI JOIN patients__loaded AS p ON p.practice_code = e.practice_code AND p.patient_id = e.patient_id
    WHERE e.patient_id IS NOT NULL
    UNION ALL
    SELECT 'medications', m.practice_code, m._row, 'unknown_patient_id'
    FROM medications__loaded AS m
    LEFT ANTI JOIN patients__loaded AS p ON p.practice_code = m.practice_code AND p.patient_id = m.patient_id
    WHERE m.patient_id IS NOT NULL
    UNION ALL
    SELECT 'patients', NULL, _row, 'unmapped' FROM patients__loaded WHERE practice_code IS NULL
    UNION ALL
    SELECT 'events', NULL, _row, 'unmapped' FROM events__loaded WHERE practice_code IS NULL
    UNION ALL
    SELECT 'medications', NULL, _row, 'unmapped' FROM medications__loaded WHERE practice_code IS NULL
),
starts AS (
    SELECT 'patients' AS table_name, practice_code, min(_row) AS first FROM patients__loaded GROUP BY practice_code
    UNION ALL
    SELECT 'events', practice_code, min(_row) FROM events__loaded GROUP BY practice_code
    UNION ALL
    SELECT 'medications', practice_code, min(_row) FROM medications__loaded GROUP BY practice_code
)
SELECT f.table_name, f.practice_code, f.problem, count(*) AS n,
    slice(array_sort(collect_list(f.r - s.first)), 1, 5) AS offsets
FROM flagged AS f
JOIN starts AS s ON s.table_name = f.table_name AND s.practice_code <=> f.practice_code
GROUP BY f.table_name, f.practice_code, f.problem
