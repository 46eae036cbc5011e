-- Codelist impact: invitations per practice with the old and the new codelist
-- version (every practice of the run, including those with none).
WITH
before AS (
    SELECT practice_code, count(*) FILTER (WHERE invited) AS invited FROM impact_before GROUP BY practice_code
),

after AS (
    SELECT practice_code, count(*) FILTER (WHERE invited) AS invited FROM population GROUP BY practice_code
),

final AS (
    SELECT rp.practice_code, coalesce(b.invited, 0) AS invited_before, coalesce(a.invited, 0) AS invited_after
    FROM run_practices AS rp
    LEFT JOIN before AS b ON b.practice_code = rp.practice_code
    LEFT JOIN after AS a ON a.practice_code = rp.practice_code
)

SELECT * FROM final ORDER BY practice_code
