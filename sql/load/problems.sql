-- Structural problems in the loaded extract tables: per table, practice and kind of
-- problem, how many rows and the first five row offsets within the practice's file.
-- Rows were inserted in file order, so a row's offset is its rowid less the first
-- rowid of its practice in that table; the loader adds the file's first row number.
-- Row-level problems were flagged while reading (load_problems); duplicate ids and
-- records of patients their practice's patients file does not name are found here
-- (a patients row with a problem of its own still counts: its records are not orphans).
WITH flagged AS (
    SELECT 'patients' AS table_name, practice_code, rowid AS r,
        unnest(string_split(load_problems, ',')) AS problem
    FROM patients WHERE load_problems IS NOT NULL
    UNION ALL
    SELECT 'events', practice_code, rowid, unnest(string_split(load_problems, ','))
    FROM events WHERE load_problems IS NOT NULL
    UNION ALL
    SELECT 'medications', practice_code, rowid, unnest(string_split(load_problems, ','))
    FROM medications WHERE load_problems IS NOT NULL
    UNION ALL
    SELECT 'patients', practice_code, rowid, 'duplicate_patient_id'
    FROM patients WHERE patient_id IS NOT NULL
    QUALIFY count(*) OVER (PARTITION BY practice_code, patient_id) > 1
    UNION ALL
    SELECT 'events', e.practice_code, e.rowid, 'unknown_patient_id'
    FROM events AS e
    ANTI JOIN patients AS p ON p.practice_code = e.practice_code AND p.patient_id = e.patient_id
    WHERE e.patient_id IS NOT NULL
    UNION ALL
    SELECT 'medications', m.practice_code, m.rowid, 'unknown_patient_id'
    FROM medications AS m
    ANTI JOIN patients AS p ON p.practice_code = m.practice_code AND p.patient_id = m.patient_id
    WHERE m.patient_id IS NOT NULL
),
files AS (
    SELECT DISTINCT table_name, practice_code FROM flagged
),
starts AS (
    SELECT 'patients' AS table_name, practice_code, min(rowid) AS first FROM patients
    WHERE practice_code IN (SELECT practice_code FROM files WHERE table_name = 'patients')
    GROUP BY practice_code
    UNION ALL
    SELECT 'events', practice_code, min(rowid) FROM events
    WHERE practice_code IN (SELECT practice_code FROM files WHERE table_name = 'events')
    GROUP BY practice_code
    UNION ALL
    SELECT 'medications', practice_code, min(rowid) FROM medications
    WHERE practice_code IN (SELECT practice_code FROM files WHERE table_name = 'medications')
    GROUP BY practice_code
)
SELECT f.table_name, f.practice_code, f.problem, count(*) AS n,
    list(f.r - s.first ORDER BY f.r)[1:5] AS offsets
FROM flagged AS f JOIN starts AS s USING (table_name, practice_code)
GROUP BY f.table_name, f.practice_code, f.problem;
