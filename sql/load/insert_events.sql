-- Every practice's events file in one read (see insert_patients.sql): codes trimmed
-- (case kept), 7-character Read v2 codes reduced to 5, coding systems lower-cased,
-- dates parsed; load_problems names what is wrong with a row.
INSERT INTO events BY NAME
SELECT
    $codes[CAST(file_index AS INTEGER) + 1] AS practice_code,
    cf_text(patient_id) AS patient_id,
    cf_date(event_date) AS event_date,
    lower(cf_text(coding_system)) AS coding_system,
    cf_code(lower(cf_text(coding_system)), code) AS code,
    try_cast(cf_text(value) AS DOUBLE) AS value,
    nullif(concat_ws(',',
        CASE WHEN cf_text(patient_id) IS NULL THEN 'blank_patient_id' END,
        CASE WHEN cf_date(event_date) IS NULL THEN 'bad_date:event_date' END,
        CASE WHEN lower(cf_text(coding_system)) IS NULL
            OR lower(cf_text(coding_system)) NOT IN ('readv2', 'ctv3', 'snomedct')
            THEN 'bad_coding_system_events' END,
        CASE WHEN cf_text(code) IS NULL THEN 'blank_code' END,
        CASE WHEN cf_text(value) IS NOT NULL AND try_cast(cf_text(value) AS DOUBLE) IS NULL
            THEN 'bad_number:value' END,
        CASE WHEN cf_nul(patient_id, event_date, coding_system, code, value, NULL, NULL)
            THEN 'nul_bytes' END
    ), '') AS load_problems
FROM src($files, $columns);
