-- The study's criteria (from study_definition), one row each: node type, label, the
-- codelist it reads (name and version resolved from its alias), its window, and
-- the codelist of its "unless a later record" part. Validation reads it.
CREATE OR REPLACE TABLE study_criteria AS
WITH
criteria AS (
    SELECT unnest(CAST(json_extract(tree, '$.criteria') AS JSON[])) AS c, tree
    FROM study_definition
),

pins AS (
    SELECT p ->> 'alias' AS alias, p ->> 'name' AS codelist, p ->> 'version' AS version
    FROM (SELECT unnest(CAST(json_extract(tree, '$.codelists') AS JSON[])) AS p FROM study_definition)
),

final AS (
    SELECT
        c ->> 'name' AS name,
        c ->> 'kind' AS kind,
        c ->> 'label' AS label,
        cp.codelist,
        cp.version,
        CAST(c -> 'definition' ->> 'within_days' AS INTEGER) AS within_days,
        CAST(c -> 'definition' ->> 'min_count' AS INTEGER) AS min_count,
        up.codelist AS unless_codelist,
        up.version AS unless_version,
        CAST(c -> 'definition' AS VARCHAR) AS definition
    FROM criteria
    LEFT JOIN pins AS cp ON cp.alias = c -> 'definition' ->> 'codelist'
    LEFT JOIN pins AS up ON up.alias = c -> 'definition' -> 'unless' ->> 'codelist'
)

SELECT * FROM final
ORDER BY name
