-- An empty do-not-contact list, for study runs outside a workspace (`cohort impact`).
CREATE OR REPLACE TABLE do_not_contact (
    practice_code VARCHAR, patient_id VARCHAR, nhs_number VARCHAR, reason VARCHAR
);
