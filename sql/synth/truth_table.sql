-- The answer key written to truth.csv: one row per synthetic patient, filled practice
-- by practice (truth.sql) and written in (practice_no, local_no) order. Dates and
-- states are as on the extract date (docs/synthetic-world.md describes each column).
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
    pain_onset DATE,                -- when the present chronic pain began (blank if none)
    pain_severity VARCHAR,          -- disabling or mild (blank if no chronic pain now)
    pain_resolved BOOLEAN,          -- had chronic pain that has since gone
    pain_resolved_on DATE,
    pain_coded BOOLEAN,             -- present pain shows as codes in the study's lists
    employment VARCHAR,             -- employed, self_employed, unemployed, long_term_sick, student, carer, retired or child
    work_status_since DATE,         -- when the present work status began
    in_work BOOLEAN,                -- employed or self-employed (on sick leave included)
    retired BOOLEAN,
    student BOOLEAN,
    job_loss_date DATE,             -- a job lost through chronic pain (blank otherwise)
    out_of_work_because_of_pain BOOLEAN,
    unemployed_months INTEGER,      -- whole months out of work (blank for people in work and children)
    wants_work BOOLEAN,             -- blank for people in work and children
    had_ips BOOLEAN,
    can_consent BOOLEAN,
    dementia BOOLEAN,
    palliative BOOLEAN,
    opted_out BOOLEAN,              -- type 1 opt-out in force
    type2_diabetes BOOLEAN,
    eligible BOOLEAN,               -- meets the InStep trial's eligibility, as they would answer it
    ineligible_reason VARCHAR       -- the first reason they do not (blank when eligible)
);
