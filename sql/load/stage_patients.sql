-- Stage one practice's patients.csv/.parquet: every cell normalised, and the raw
-- cells that failed to parse flagged so the checks can name their rows.
-- src($path, $columns) is a table macro over the file with canonical column names.
CREATE OR REPLACE TEMP TABLE stage AS
SELECT
    cf_text(patient_id) AS patient_id,
    cf_nhs(nhs_number) AS nhs_number,
    cf_text(title) AS title,
    cf_text(forename) AS forename,
    cf_text(surname) AS surname,
    cf_date(date_of_birth) AS date_of_birth,
    cf_text(date_of_birth) IS NOT NULL AND cf_date(date_of_birth) IS NULL AS bad_date_of_birth,
    upper(cf_text(sex)) AS sex,
    cf_text(address_line_1) AS address_line_1,
    cf_text(address_line_2) AS address_line_2,
    cf_text(address_line_3) AS address_line_3,
    cf_text(address_line_4) AS address_line_4,
    cf_postcode(postcode) AS postcode,
    cf_date(registration_date) AS registration_date,
    cf_text(registration_date) IS NOT NULL AND cf_date(registration_date) IS NULL AS bad_registration_date,
    cf_date(deregistration_date) AS deregistration_date,
    cf_text(deregistration_date) IS NOT NULL AND cf_date(deregistration_date) IS NULL AS bad_deregistration_date,
    cf_date(date_of_death) AS date_of_death,
    cf_text(date_of_death) IS NOT NULL AND cf_date(date_of_death) IS NULL AS bad_date_of_death
FROM src($path, $columns);
