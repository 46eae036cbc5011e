-- Every practice's medications file in one read (see insert_patients.sql): dates
-- parsed, codes trimmed, coding systems and issue types lower-cased; load_problems
-- names what is wrong with a row.
INSERT INTO medications BY NAME
SELECT
    $codes[CAST(file_index AS INTEGER) + 1] AS practice_code,
    cf_text(patient_id) AS patient_id,
    cf_date(issue_date) AS issue_date,
    lower(cf_text(coding_system)) AS coding_system,
    cf_text(code) AS code,
    lower(cf_text(issue_type)) AS issue_type,
    try_cast(cf_text(quantity) AS DOUBLE) AS quantity,
    nullif(concat_ws(',',
        CASE WHEN cf_text(patient_id) IS NULL THEN 'blank_patient_id' END,
        CASE WHEN cf_date(issue_date) IS NULL THEN 'bad_date:issue_date' END,
        CASE WHEN lower(cf_text(coding_system)) IS NULL
            OR lower(cf_text(coding_system)) NOT IN ('dmd', 'bnf')
            THEN 'bad_coding_system_medications' END,
        CASE WHEN cf_text(code) IS NULL THEN 'blank_code' END,
        CASE WHEN lower(cf_text(issue_type)) IS NOT NULL
            AND lower(cf_text(issue_type)) NOT IN ('acute', 'repeat')
            THEN 'bad_issue_type' END,
        CASE WHEN cf_text(quantity) IS NOT NULL AND try_cast(cf_text(quantity) AS DOUBLE) IS NULL
            THEN 'bad_number:quantity' END,
        CASE WHEN cf_nul(patient_id, issue_date, coding_system, code, issue_type, quantity, NULL)
            THEN 'nul_bytes' END
    ), '') AS load_problems
FROM src($files, $columns);
