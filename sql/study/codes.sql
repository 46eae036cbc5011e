-- Every concrete code (descendants already expanded) of each role's codelist, with
-- the codelist name, version, term and category, numbered in a fixed order
-- (code_id), and how far back the study reads it (lookback_days, study_roles). study_records carries only the code_id; the evidence looks the
-- rest up here, for the few patients it is kept for.
CREATE OR REPLACE TEMP TABLE study_codes AS
WITH
final AS (
    SELECT
        row_number() OVER (
            ORDER BY r.role, c.coding_system, c.code, c.category, c.term, c.codelist, c.version
        ) AS code_id,
        r.role,
        c.codelist,
        c.version,
        c.coding_system,
        c.code,
        c.term,
        c.category,
        r.lookback_days
    FROM study_roles AS r
    INNER JOIN codelist_codes AS c ON c.codelist = r.codelist AND c.version = r.version
)

SELECT * FROM final
