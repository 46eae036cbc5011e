-- Every codelist version expanded to its concrete codes: one row per code, which
-- the study joins to events and medications on (coding_system, code), an
-- equality (hash) join. The rules (docs/codelists.md):
--   * an entry's own code is in the list;
--   * with descendants, a Read v2 / BNF entry adds every candidate code starting
--     with its prefix (16C.. -> 16C), and a SNOMED CT / CTV3 / dm+d entry adds the
--     codes below it in the codelist's hierarchy file;
--   * candidates are the codelist's code table, its own entries' codes and the
--     codes seen in this run's events and medications;
--   * an excluded code (and its descendants, if asked) is out, whatever includes it;
--   * a code several entries match takes the category of the most specific one:
--     its own entry, then the longest prefix or the nearest ancestor.
-- pipeline/codelists/expand.py states the same rules in Python; tests keep them equal.

CREATE OR REPLACE TABLE codelist_codes AS
WITH
definitions AS (
    SELECT * FROM codelist_definitions
),

prefix_systems AS (
    -- the codelist versions and coding systems that have prefix rules
    SELECT DISTINCT codelist, version, coding_system
    FROM definitions
    WHERE prefix IS NOT NULL
),

candidates AS (
    SELECT codelist, version, coding_system, code FROM codelist_code_table
    UNION
    SELECT codelist, version, coding_system, code FROM definitions
    UNION
    SELECT
        p.codelist,
        p.version,
        s.coding_system,
        s.code
    FROM codelist_seen_codes AS s
    INNER JOIN prefix_systems AS p ON s.coding_system = p.coding_system
),

candidate_prefixes AS (
    -- each candidate with each of its leading substrings, so a prefix rule
    -- matches by equality: 16C2. gives 1, 16, 16C, 16C2, 16C2.
    SELECT
        c.codelist,
        c.version,
        c.coding_system,
        c.code,
        left(c.code, n.length) AS prefix
    FROM candidates AS c
    INNER JOIN prefix_systems AS p USING (codelist, version, coding_system)
    CROSS JOIN LATERAL (SELECT unnest(range(1, length(c.code) + 1)) AS length) AS n
),

own_matches AS (
    SELECT
        codelist,
        version,
        coding_system,
        code,
        excluded,
        category,
        term AS rule_term,
        code AS rule_code,
        1000000 AS specificity
    FROM definitions
),

prefix_matches AS (
    SELECT
        d.codelist,
        d.version,
        d.coding_system,
        c.code,
        d.excluded,
        d.category,
        d.term AS rule_term,
        d.code AS rule_code,
        length(d.prefix) AS specificity
    FROM definitions AS d
    INNER JOIN candidate_prefixes AS c
        ON
            d.codelist = c.codelist
            AND d.version = c.version
            AND d.coding_system = c.coding_system
            AND d.prefix = c.prefix
),

hierarchy_matches AS (
    SELECT
        d.codelist,
        d.version,
        d.coding_system,
        h.descendant AS code,
        d.excluded,
        d.category,
        d.term AS rule_term,
        d.code AS rule_code,
        100000 - h.depth AS specificity
    FROM definitions AS d
    INNER JOIN codelist_hierarchy AS h
        ON
            d.codelist = h.codelist
            AND d.version = h.version
            AND d.coding_system = h.coding_system
            AND d.code = h.ancestor
    WHERE d.descendants
),

matches AS (
    SELECT * FROM own_matches
    UNION ALL
    SELECT * FROM prefix_matches
    UNION ALL
    SELECT * FROM hierarchy_matches
),

excluded_codes AS (
    SELECT DISTINCT codelist, version, coding_system, code
    FROM matches
    WHERE excluded
),

ranked AS (
    SELECT
        m.*,
        row_number() OVER (
            PARTITION BY m.codelist, m.version, m.coding_system, m.code
            ORDER BY m.specificity DESC, m.category ASC NULLS LAST, m.rule_code ASC
        ) AS rank
    FROM matches AS m
    ANTI JOIN excluded_codes AS x
        ON
            m.codelist = x.codelist
            AND m.version = x.version
            AND m.coding_system = x.coding_system
            AND m.code = x.code
    WHERE NOT m.excluded
),

known_terms AS (
    SELECT
        codelist,
        version,
        coding_system,
        code,
        nullif(term, '') AS term
    FROM codelist_code_table
),

final AS (
    SELECT
        r.codelist,
        r.version,
        r.coding_system,
        r.code,
        CASE
            WHEN r.specificity = 1000000 THEN coalesce(nullif(r.rule_term, ''), k.term, '')
            ELSE coalesce(k.term, rtrim('descendant of ' || r.rule_code || ' ' || r.rule_term))
        END AS term,
        r.category
    FROM ranked AS r
    LEFT JOIN known_terms AS k
        ON
            r.codelist = k.codelist
            AND r.version = k.version
            AND r.coding_system = k.coding_system
            AND r.code = k.code
    WHERE r.rank = 1
)

SELECT * FROM final
ORDER BY codelist, version, coding_system, code;
