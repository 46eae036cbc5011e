-- Structural problems in one staged events file (see check_patients.sql).
-- Patients are looked up in known_patients (every id the practice's patients file
-- names, even when that file has problems of its own), limited to $practice_code.
WITH rows AS (
    SELECT rowid + $first_row AS line, * FROM stage
),
known AS (
    SELECT patient_id FROM known_patients WHERE practice_code = $practice_code
),
problems AS (
    SELECT 'blank_patient_id' AS problem, line FROM rows WHERE patient_id IS NULL
    UNION ALL
    SELECT 'unknown_patient_id', line FROM rows
        WHERE patient_id IS NOT NULL AND patient_id NOT IN (SELECT patient_id FROM known)
    UNION ALL
    SELECT 'bad_date:event_date', line FROM rows WHERE event_date IS NULL
    UNION ALL
    SELECT 'bad_coding_system_events', line FROM rows
        WHERE coding_system IS NULL OR coding_system NOT IN ('readv2', 'ctv3', 'snomedct')
    UNION ALL
    SELECT 'blank_code', line FROM rows WHERE code IS NULL
    UNION ALL
    SELECT 'bad_number:value', line FROM rows WHERE bad_value
)
SELECT problem, count(*) AS n, list(line ORDER BY line)[1:5] AS lines
FROM problems
GROUP BY problem
ORDER BY min(line), problem;
