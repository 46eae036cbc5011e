-- Everyone the study invites, ranked within their practice by the strength of
-- their chronic-pain evidence, so that a practice's capacity limit keeps the
-- most certain cases: more routes held first, then the strongest route held
-- (C2 chronic pain recorded, then C1 repeated pain conditions, then C3 repeat
-- pain medication), then a seeded shuffle (sha256 of seed|practice|patient id)
-- that is the same on every machine for the same seed. Beyond the limit a
-- patient is deferred, not dropped.
CREATE OR REPLACE TEMP TABLE invitation_candidates AS
WITH invited AS (
    SELECT practice_code, patient_id, coalesce(c1, false) AS c1, coalesce(c2, false) AS c2, coalesce(c3, false) AS c3
    FROM population
    WHERE invited
),

scored AS (
    SELECT
        *,
        CAST(c1 AS INTEGER) + CAST(c2 AS INTEGER) + CAST(c3 AS INTEGER) AS routes_held,
        CASE WHEN c2 THEN 'c2' WHEN c1 THEN 'c1' WHEN c3 THEN 'c3' END AS strongest_route,
        CASE WHEN c2 THEN 1 WHEN c1 THEN 2 WHEN c3 THEN 3 ELSE 4 END AS route_order,
        sha256(concat_ws('|', CAST($seed AS VARCHAR), practice_code, patient_id)) AS shuffle_key
    FROM invited
),

ranked AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY practice_code ORDER BY routes_held DESC, route_order, shuffle_key
        ) AS capacity_rank
    FROM scored
),

final AS (
    SELECT
        *,
        (CAST($max_per_practice AS INTEGER) IS NULL OR capacity_rank <= CAST($max_per_practice AS INTEGER)) AS selected
    FROM ranked
)

SELECT * FROM final;
