-- For each codelist of the study: how many of its codes occur in the extracts,
-- in how many records and for how many patients. A codelist with no hits at a
-- practice usually means the practice records in a coding system it lacks.
WITH
records AS (
    SELECT practice_code, patient_id, coding_system, code FROM events
    UNION ALL
    SELECT practice_code, patient_id, coding_system, code FROM medications
),

listed AS (
    SELECT DISTINCT codelist, version, coding_system, code FROM codelist_codes
),

hits AS (
    SELECT l.codelist, l.version, r.practice_code, r.patient_id, r.coding_system, r.code
    FROM records AS r
    INNER JOIN listed AS l ON l.coding_system = r.coding_system AND l.code = r.code
),

final AS (
    SELECT
        l.codelist,
        l.version,
        count(DISTINCT (h.coding_system, h.code)) FILTER (WHERE h.code IS NOT NULL) AS codes_seen,
        count(h.code) AS records,
        count(DISTINCT (h.practice_code, h.patient_id)) FILTER (WHERE h.code IS NOT NULL) AS patients
    FROM (SELECT DISTINCT codelist, version FROM listed) AS l
    LEFT JOIN hits AS h ON h.codelist = l.codelist AND h.version = l.version
    GROUP BY l.codelist, l.version
)

SELECT * FROM final
ORDER BY codelist
