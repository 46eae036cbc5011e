-- Everyone the study invites, ranked within their practice so that a practice's
-- capacity keeps the people the study scores highest (population.score: points
-- for evidence of being out of work and of chronic pain; 0 when the study states
-- no score). Equal scores are ordered by a seeded hash, the SHA-256 of
-- study|seed|practice_code|patient_id, the same on every machine for the same
-- study and seed (recorded in the run record) and not patient id order. Beyond
-- the capacity a patient is deferred, not dropped: they compete again next run.
CREATE OR REPLACE TEMP TABLE invitation_candidates AS
WITH invited AS (
    SELECT
        practice_code, patient_id, score, out_of_work_evidence,
        coalesce(c1, false) AS c1, coalesce(c2, false) AS c2, coalesce(c3, false) AS c3
    FROM (
        -- InStep's chronic-pain routes c1-c3; all false for a study without them.
        SELECT * FROM population
        UNION ALL BY NAME
        SELECT NULL::BOOLEAN AS c1, NULL::BOOLEAN AS c2, NULL::BOOLEAN AS c3 WHERE false
    )
    WHERE invited
),

scored AS (
    SELECT
        *,
        CAST(c1 AS INTEGER) + CAST(c2 AS INTEGER) + CAST(c3 AS INTEGER) AS routes_held,
        CASE WHEN c2 THEN 'c2' WHEN c1 THEN 'c1' WHEN c3 THEN 'c3' END AS strongest_route,
        sha256(concat_ws('|', CAST($study AS VARCHAR), CAST($seed AS VARCHAR), practice_code, patient_id)) AS tie_break
    FROM invited
),

ranked AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY practice_code ORDER BY score DESC, tie_break) AS capacity_rank,
        count(*) OVER (PARTITION BY practice_code) AS practice_candidates,
        CAST($capacity AS INTEGER) AS capacity
    FROM scored
),

final AS (
    SELECT
        *,
        (capacity IS NULL OR capacity_rank <= capacity) AS selected
    FROM ranked
)

SELECT * FROM final;
