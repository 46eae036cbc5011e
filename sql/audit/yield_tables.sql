-- Working tables for the yield report: each invitation with the chronic-pain routes
-- that held for it, and the codelist versions of the run that invited it.
CREATE OR REPLACE TEMP TABLE yield_invites (
    invite_ref VARCHAR, run_id VARCHAR, study VARCHAR, practice_code VARCHAR,
    c1 BOOLEAN, c2 BOOLEAN, c3 BOOLEAN
);
CREATE OR REPLACE TEMP TABLE yield_run_codelists (
    run_id VARCHAR, role VARCHAR, codelist VARCHAR, version VARCHAR
);
