-- The codelist versions a run uses, loaded from the rows Python registered
-- (codelist_*_rows): nothing from a codelist file is ever pasted into SQL text.
-- codelist_definitions stays in the run database, so every evidence row can be
-- traced to the rule (code or prefix, with or without descendants) that put it there.

CREATE OR REPLACE TABLE codelist_definitions AS
SELECT
    codelist,
    version,
    coding_system,
    code,
    prefix,        -- Read v2 / BNF entries with descendants: the codes starting with this
    descendants,
    excluded,
    category,
    term
FROM codelist_definition_rows
ORDER BY codelist, version, coding_system, code;

-- Known codes with their terms, shipped with each codelist version.
CREATE OR REPLACE TEMP TABLE codelist_code_table AS
SELECT codelist, version, coding_system, code, term
FROM codelist_code_table_rows
ORDER BY codelist, version, coding_system, code;

-- SNOMED CT / CTV3 / dm+d: each entry asking for descendants, with every code
-- below it in the codelist's hierarchy file and the shortest depth to reach it.
CREATE OR REPLACE TEMP TABLE codelist_hierarchy AS
SELECT codelist, version, coding_system, ancestor, descendant, depth
FROM codelist_hierarchy_rows
ORDER BY codelist, version, coding_system, ancestor, descendant;

-- Distinct codes recorded in this run's extracts (filled by seen_events / seen_medications).
CREATE OR REPLACE TEMP TABLE codelist_seen_codes (
    coding_system VARCHAR NOT NULL,
    code VARCHAR NOT NULL
);
