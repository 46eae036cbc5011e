-- Every practice in the run, with its letterhead, so each gets its own folder
-- (even when nobody there is invited).
WITH final AS (
    SELECT r.practice_code, p.practice_name, coalesce(p.practice_address, []) AS practice_address
    FROM run_practices AS r
    INNER JOIN practices AS p USING (practice_code)
)

SELECT * FROM final
ORDER BY practice_code;
