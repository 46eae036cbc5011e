-- Codes recorded in the extracts' events, in the coding systems ($systems) that
-- some codelist matches by prefix (Read v2): a prefix rule can only ever match
-- these or a code in the codelist's own code table.
INSERT INTO codelist_seen_codes
SELECT DISTINCT
    coding_system,
    code
FROM events
WHERE list_contains($systems, coding_system);
