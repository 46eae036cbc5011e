-- The answer key written to truth.csv: one row per synthetic patient, filled practice
-- by practice (truth.sql) and written in (practice_no, local_no) order.
CREATE OR REPLACE TABLE truth (
    practice_no INTEGER,
    local_no BIGINT,
    practice_code VARCHAR,
    patient_id VARCHAR,
    sex VARCHAR,
    age INTEGER,                    -- on the extract date
    registered BOOLEAN,             -- still registered on the extract date
    alive BOOLEAN,
    in_chronic_pain BOOLEAN,        -- in pain now, for 3 months or more
    pain_resolved BOOLEAN,          -- had pain that has since gone
    pain_coded BOOLEAN,             -- current pain shows as pain codes in the record
    employment VARCHAR,             -- employed, unemployed, retired, student or child
    in_work BOOLEAN,
    retired BOOLEAN,
    student BOOLEAN,
    unemployed_months INTEGER,      -- blank unless unemployed
    unemployed_due_to_pain BOOLEAN,
    wants_work BOOLEAN,             -- blank for people in work and children
    had_ips BOOLEAN,
    can_consent BOOLEAN,
    dementia BOOLEAN,
    palliative BOOLEAN,
    opted_out BOOLEAN,              -- type 1 opt-out in force
    eligible BOOLEAN                -- meets the trial's eligibility, as they would answer it
);
