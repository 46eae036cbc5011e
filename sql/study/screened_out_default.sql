-- The GP screening exclusions of this study (workspace screening_decisions, copied
-- into the run as screened_out by the workspace stage). A run database made before
-- screening existed, or a test, has none: an empty table means no one is screened out.
CREATE TABLE IF NOT EXISTS screened_out (
    practice_code VARCHAR,
    patient_id VARCHAR,
    nhs_number VARCHAR,
    study VARCHAR,
    run_id VARCHAR,
    reason VARCHAR
);
