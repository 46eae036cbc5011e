-- The loaded, normalised practice extracts: one table per extract table, all
-- practices together, keyed by (practice_code, patient_id). Later stages read these.

CREATE TABLE IF NOT EXISTS practices (
    practice_code VARCHAR PRIMARY KEY,
    practice_name VARCHAR NOT NULL,
    clinical_system VARCHAR,
    extract_date DATE NOT NULL,
    practice_address VARCHAR[],
    source_folder VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS patients (
    practice_code VARCHAR NOT NULL,
    patient_id VARCHAR NOT NULL,
    nhs_number VARCHAR,            -- digits only; NULL when not recorded
    nhs_number_valid BOOLEAN,      -- Modulus 11; NULL when not recorded
    title VARCHAR,
    forename VARCHAR,
    surname VARCHAR,
    date_of_birth DATE NOT NULL,
    sex VARCHAR NOT NULL,
    address_line_1 VARCHAR,
    address_line_2 VARCHAR,
    address_line_3 VARCHAR,
    address_line_4 VARCHAR,
    postcode VARCHAR,              -- normalised 'SO16 6YD'
    postcode_valid BOOLEAN NOT NULL,
    registration_date DATE NOT NULL,
    deregistration_date DATE,
    date_of_death DATE
);

CREATE TABLE IF NOT EXISTS events (
    practice_code VARCHAR NOT NULL,
    patient_id VARCHAR NOT NULL,
    event_date DATE NOT NULL,
    coding_system VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    value DOUBLE
);

CREATE TABLE IF NOT EXISTS medications (
    practice_code VARCHAR NOT NULL,
    patient_id VARCHAR NOT NULL,
    issue_date DATE NOT NULL,
    coding_system VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    issue_type VARCHAR,
    quantity DOUBLE
);

-- Patient ids named by each practice's patients file, for checking its events and
-- medications; kept for the connection only.
CREATE OR REPLACE TEMP TABLE known_patients (
    practice_code VARCHAR NOT NULL,
    patient_id VARCHAR NOT NULL
);
