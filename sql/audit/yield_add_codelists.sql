-- Which codelist version played each role in one run (from its run record), so
-- the yield report can say which version of a search produced which letters.
INSERT INTO yield_run_codelists VALUES ($run_id, $role, $codelist, $version)
