-- Structural problems in one staged medications file (see check_patients.sql).
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
    SELECT 'bad_date:issue_date', line FROM rows WHERE issue_date IS NULL
    UNION ALL
    SELECT 'bad_coding_system_medications', line FROM rows
        WHERE coding_system IS NULL OR coding_system NOT IN ('dmd', 'bnf')
    UNION ALL
    SELECT 'blank_code', line FROM rows WHERE code IS NULL
    UNION ALL
    SELECT 'bad_issue_type', line FROM rows
        WHERE issue_type IS NOT NULL AND issue_type NOT IN ('acute', 'repeat')
    UNION ALL
    SELECT 'bad_number:quantity', line FROM rows WHERE bad_quantity
)
SELECT problem, count(*) AS n, list(line ORDER BY line)[1:5] AS lines
FROM problems
GROUP BY problem
ORDER BY min(line), problem;
