-- The study's numbers as name/value rows, for validation suites that check
-- the invitation list independently of the study SQL.
CREATE OR REPLACE TABLE study_parameters (name VARCHAR PRIMARY KEY, value VARCHAR);
