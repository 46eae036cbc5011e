-- Every practice in the run, with its letterhead, contact details and letter
-- language, so each gets its own folder (even when nobody there is invited).
WITH final AS (
    SELECT
        r.practice_code,
        p.practice_name,
        coalesce(p.practice_address, []) AS practice_address,
        l.telephone,
        l.email,
        coalesce(l.letter_language, 'english') AS letter_language
    FROM run_practices AS r
    INNER JOIN practices AS p USING (practice_code)
    LEFT JOIN practice_letters AS l USING (practice_code)
)

SELECT * FROM final
ORDER BY practice_code;
