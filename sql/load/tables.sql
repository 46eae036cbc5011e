-- The loaded, normalised practice extracts: one table per extract table, all
-- practices together, keyed by (practice_code, patient_id). Later stages read these.
-- Columns the contract requires are not declared NOT NULL: the loader inserts every
-- row, counts the rows that break the contract (sql/load/problems_*.sql) and stops
-- the run naming them; the validation suites check it again.

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
    patient_id VARCHAR,
    nhs_number VARCHAR,            -- digits only; NULL when not recorded
    nhs_number_valid BOOLEAN,      -- Modulus 11; NULL when not recorded
    title VARCHAR,
    forename VARCHAR,
    surname VARCHAR,
    date_of_birth DATE,
    sex VARCHAR,
    address_line_1 VARCHAR,
    address_line_2 VARCHAR,
    address_line_3 VARCHAR,
    address_line_4 VARCHAR,
    postcode VARCHAR,              -- normalised 'SO16 6YD'
    postcode_valid BOOLEAN,
    registration_date DATE,
    deregistration_date DATE,
    date_of_death DATE
);

CREATE TABLE IF NOT EXISTS events (
    practice_code VARCHAR NOT NULL,
    patient_id VARCHAR,
    event_date DATE,
    coding_system VARCHAR,
    code VARCHAR,
    value DOUBLE
);

CREATE TABLE IF NOT EXISTS medications (
    practice_code VARCHAR NOT NULL,
    patient_id VARCHAR,
    issue_date DATE,
    coding_system VARCHAR,
    code VARCHAR,
    issue_type VARCHAR,
    quantity DOUBLE
);

-- Tables a practice's manifest says are expected to be empty or sparse in this
-- extract (manifest key sparse_tables); the validation suites read it.
CREATE TABLE IF NOT EXISTS sparse_tables (
    practice_code VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL
);
