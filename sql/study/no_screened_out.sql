-- No earlier GP screening exclusions, for study runs outside a workspace
-- (`cohort impact`): the comparison is about codelists, not earlier screening.
CREATE OR REPLACE TABLE screened_out (
    practice_code VARCHAR, patient_id VARCHAR, nhs_number VARCHAR, study VARCHAR, run_id VARCHAR, reason VARCHAR
);
