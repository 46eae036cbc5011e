-- Every practice's patients file in one read: src($files, $columns) is a table macro
-- over the files (read in parallel, rows kept in file order; file_index says whose).
-- Cells are normalised on the way in; load_problems names what is wrong with a row
-- (comma-separated; NULL when nothing is), for sql/load/problems.sql to count and the
-- loader to report with the file and line. Contact-detail problems are not here:
-- they go to quarantine.
INSERT INTO patients BY NAME
SELECT
    $codes[CAST(file_index AS INTEGER) + 1] AS practice_code,
    cf_text(patient_id) AS patient_id,
    cf_nhs(nhs_number) AS nhs_number,
    CASE WHEN cf_nhs(nhs_number) IS NULL THEN NULL ELSE cf_nhs_valid(cf_nhs(nhs_number)) END AS nhs_number_valid,
    cf_text(title) AS title,
    cf_text(forename) AS forename,
    cf_text(surname) AS surname,
    cf_date(date_of_birth) AS date_of_birth,
    upper(cf_text(sex)) AS sex,
    cf_text(address_line_1) AS address_line_1,
    cf_text(address_line_2) AS address_line_2,
    cf_text(address_line_3) AS address_line_3,
    cf_text(address_line_4) AS address_line_4,
    cf_postcode(postcode) AS postcode,
    cf_postcode_valid(cf_postcode(postcode)) AS postcode_valid,
    cf_date(registration_date) AS registration_date,
    cf_date(deregistration_date) AS deregistration_date,
    cf_date(date_of_death) AS date_of_death,
    nullif(concat_ws(',',
        CASE WHEN cf_text(patient_id) IS NULL THEN 'blank_patient_id' END,
        CASE WHEN cf_date(date_of_birth) IS NULL THEN 'bad_date:date_of_birth' END,
        CASE WHEN cf_date(registration_date) IS NULL THEN 'bad_date:registration_date' END,
        CASE WHEN cf_text(deregistration_date) IS NOT NULL AND cf_date(deregistration_date) IS NULL
            THEN 'bad_date:deregistration_date' END,
        CASE WHEN cf_text(date_of_death) IS NOT NULL AND cf_date(date_of_death) IS NULL
            THEN 'bad_date:date_of_death' END,
        CASE WHEN upper(cf_text(sex)) IS NULL OR upper(cf_text(sex)) NOT IN ('M', 'F', 'I', 'U')
            THEN 'bad_sex' END,
        CASE WHEN cf_nul(patient_id, nhs_number, forename, surname, date_of_birth, address_line_1, postcode)
            THEN 'nul_bytes' END
    ), '') AS load_problems
FROM src($files, $columns);
