-- Codes recorded in the extracts' prescription issues, in the coding systems
-- ($systems) that some codelist matches by prefix (BNF).
INSERT INTO codelist_seen_codes
SELECT DISTINCT
    coding_system,
    code
FROM medications
WHERE list_contains($systems, coding_system);
