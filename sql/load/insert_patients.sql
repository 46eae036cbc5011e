-- Move the checked, staged patients into the run's patients table.
INSERT INTO patients
SELECT
    $practice_code, patient_id, nhs_number,
    CASE WHEN nhs_number IS NULL THEN NULL ELSE cf_nhs_valid(nhs_number) END,
    title, forename, surname, date_of_birth, sex,
    address_line_1, address_line_2, address_line_3, address_line_4,
    postcode, cf_postcode_valid(postcode),
    registration_date, deregistration_date, date_of_death
FROM stage;
