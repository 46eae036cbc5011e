-- How many patients remain after each rule, in the study's order, for the whole
-- run (practice_code 'ALL') and for each practice: the count a practice can
-- check against its own search. The chronic-pain step also lists how many of
-- the patients it was applied to met each route (routes overlap, so those rows
-- have no 'removed' count and do not add up).
CREATE OR REPLACE TABLE attrition AS
WITH
steps AS (
    -- The steps in order; 'step' is the stop-rule name in population.stopped_by.
    SELECT * FROM (VALUES
        (1, 0, 'extract', 'Patients in the extracts'),
        (2, 1, 'not_registered', 'Registered on the index date'),
        (3, 2, 'not_alive', 'Alive on the index date'),
        (4, 3, 'age', 'Of working age'),
        (5, 4, 'no_chronic_pain', 'With chronic pain (any route)'),
        (6, 4, 'c1', '  route C1: repeated pain conditions'),
        (7, 4, 'c2', '  route C2: chronic pain recorded'),
        (8, 4, 'c3', '  route C3: repeat pain medication'),
        (9, 5, 'in_work', 'Not known to be in work'),
        (10, 6, 'dementia', 'No dementia'),
        (11, 7, 'palliative', 'No palliative care'),
        (12, 8, 'opt_out', 'No research opt-out'),
        (13, 9, 'already_invited', 'Not already invited'),
        (14, 10, 'do_not_contact', 'Not on the do-not-contact list'),
        (15, 11, 'screened_out', 'Not screened out by a GP before'),
        (16, 12, 'data_quality', 'Not held back for data quality'),
        (17, 13, 'invited', 'Invited')
    ) AS s (row_no, step_no, step, label)
),

scopes AS (
    -- Each practice of the run, and 'ALL' for the total.
    SELECT practice_code FROM run_practices
    UNION ALL
    SELECT 'ALL' AS practice_code
),

tagged AS (
    -- Every patient twice: under their practice and under ALL.
    SELECT practice_code, stopped_by, registered AND alive AND working_age AS reached_pain, c1, c2, c3
    FROM population
    UNION ALL
    SELECT 'ALL' AS practice_code, stopped_by, registered AND alive AND working_age AS reached_pain, c1, c2, c3
    FROM population
),

removed AS (
    SELECT practice_code, stopped_by AS step, count(*) AS removed
    FROM tagged
    WHERE stopped_by IS NOT NULL
    GROUP BY practice_code, stopped_by
),

routes AS (
    -- Patients reaching the chronic-pain step who met each route.
    SELECT practice_code, step, count(*) AS met
    FROM (
        SELECT practice_code, 'c1' AS step FROM tagged WHERE reached_pain AND c1
        UNION ALL
        SELECT practice_code, 'c2' AS step FROM tagged WHERE reached_pain AND c2
        UNION ALL
        SELECT practice_code, 'c3' AS step FROM tagged WHERE reached_pain AND c3
    )
    GROUP BY practice_code, step
),

totals AS (
    SELECT practice_code, count(*) AS total FROM tagged GROUP BY practice_code
),

counted AS (
    SELECT
        sc.practice_code, s.row_no, s.step_no, s.step, s.label,
        coalesce(t.total, 0) AS total,
        CASE WHEN s.step IN ('c1', 'c2', 'c3') THEN 0 ELSE coalesce(r.removed, 0) END AS removed,
        coalesce(rt.met, 0) AS met
    FROM scopes AS sc
    CROSS JOIN steps AS s
    LEFT JOIN totals AS t ON t.practice_code = sc.practice_code
    LEFT JOIN removed AS r ON r.practice_code = sc.practice_code AND r.step = s.step
    LEFT JOIN routes AS rt ON rt.practice_code = sc.practice_code AND rt.step = s.step
),

final AS (
    SELECT
        practice_code, row_no, step_no, step, label,
        CASE
            WHEN step IN ('c1', 'c2', 'c3') THEN met
            ELSE total - sum(removed) OVER (PARTITION BY practice_code ORDER BY row_no)
        END AS remaining,
        CASE WHEN step IN ('c1', 'c2', 'c3') THEN NULL ELSE removed END AS removed
    FROM counted
)

SELECT * FROM final
ORDER BY practice_code = 'ALL' DESC, practice_code, row_no
