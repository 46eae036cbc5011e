-- Which chronic-pain routes (C1 repeated pain conditions, C2 chronic pain
-- recorded, C3 repeat pain medication) held, in every combination, among the
-- patients the chronic-pain rule was applied to (registered, alive, working
-- age), and among those the study found eligible to invite.
WITH
reached AS (
    SELECT
        coalesce(c1, false) AS c1,
        coalesce(c2, false) AS c2,
        coalesce(c3, false) AS c3,
        coalesce(invited, false) AS eligible
    FROM population
    WHERE registered AND alive AND working_age
),

final AS (
    SELECT c1, c2, c3, count(*) AS patients, count(*) FILTER (WHERE eligible) AS eligible
    FROM reached
    GROUP BY c1, c2, c3
)

SELECT * FROM final
ORDER BY c1 DESC, c2 DESC, c3 DESC
